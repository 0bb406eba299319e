package dev.conveyor.worker.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

class LeaseDeadlinesTest {
  private static final long HANDLER_STOP_MS = 10_000;

  /** Ticks of a periodic timer, each {@code lateNs} late; the tick whose time since renewal first passes. */
  private static int firstTick(LeaseDeadlines deadlines, LongPredicate passed, long lateNs) {
    for (int tick = 1; ; tick++) {
      long since = tick * deadlines.tickNs() + lateNs;
      if (passed.test(since)) {
        return tick;
      }
    }
  }

  @Test
  void handlersAreToldToStopTicksBeforeTheWorkerMustGoWhateverTheTicksPhase() {
    for (long leaseMs : new long[] {1_000, 3_000, 4_000, 5_000, 12_000, 30_000, 120_000}) {
      LeaseDeadlines deadlines = LeaseDeadlines.of(leaseMs, leaseMs / 3, HANDLER_STOP_MS);
      long leaseNs = TimeUnit.MILLISECONDS.toNanos(leaseMs);
      long wanted = TimeUnit.MILLISECONDS.toNanos(Math.min(HANDLER_STOP_MS, leaseMs / 6 - 1));
      // The worst case: the ticks up to "at risk" on time, the later ones late (as when a tick came 8 ms late and
      // found a 4 s lease at risk and running out at once, the first time).
      int atRisk = firstTick(deadlines, deadlines::atRisk, 0);
      for (long lateNs = 0; lateNs < deadlines.tickNs() / 2; lateNs += TimeUnit.MILLISECONDS.toNanos(1)) {
        int runningOut = firstTick(deadlines, deadlines::runningOut, lateNs);
        long stopNs = (runningOut - atRisk) * deadlines.tickNs();
        String at = "lease " + leaseMs + " ms, ticks " + lateNs / 1_000_000 + " ms late: ";
        assertTrue(stopNs >= wanted, at + "handlers had " + stopNs / 1_000_000 + " ms to stop");
        assertTrue(runningOut * deadlines.tickNs() + lateNs < leaseNs - deadlines.tickNs() / 2,
            at + "gone half a tick or more before the lease ends");
      }
    }
  }

  @Test
  void aShortLeaseIsAtRiskAtHalfOfItANormalOneItsStopTimeBeforeItRunsOut() {
    LeaseDeadlines shortLease = LeaseDeadlines.of(4_000, 1_333, HANDLER_STOP_MS);
    assertEquals(333, shortLease.tickMs());
    assertTrue(!shortLease.atRisk(ms(1_600)) && shortLease.atRisk(ms(1_700)), "a tick before 2 s");
    LeaseDeadlines normal = LeaseDeadlines.of(30_000, 10_000, HANDLER_STOP_MS);
    assertEquals(1_000, normal.tickMs());
    assertTrue(!normal.atRisk(ms(16_900)) && normal.atRisk(ms(17_100)), "a tick before 18 s");
    assertTrue(!normal.runningOut(ms(27_900)) && normal.runningOut(ms(28_100)), "two seconds before 30 s");
    assertTrue(!shortLease.runningOut(ms(2_600)) && shortLease.runningOut(ms(2_700)), "a beat before 4 s");
  }

  @Test
  void aBeatGoesAtTheTickNearestToItsTime() {
    LeaseDeadlines deadlines = LeaseDeadlines.of(4_000, 1_333, HANDLER_STOP_MS);
    assertTrue(deadlines.beatDue(ms(4 * 333)), "four ticks of 333 ms are a beat of 1,333");
    assertTrue(!deadlines.beatDue(ms(3 * 333 + 10)));
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
