package dev.conveyor.worker.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeaseDeadlinesTest {
  private static final long HANDLER_STOP_MS = 10_000;

  /** Ticks of a periodic timer, each late by up to half a tick; the tick whose time since renewal first passes. */
  private static int firstTick(LeaseDeadlines deadlines, java.util.function.LongPredicate passed, Random random) {
    for (int tick = 1; ; tick++) {
      long since = tick * deadlines.tickNs() + (long) (random.nextDouble() * deadlines.tickNs() / 2);
      if (passed.test(since)) {
        return tick;
      }
    }
  }

  @Test
  void handlersAreToldToStopTicksBeforeTheWorkerMustGoWhateverTheTicksPhase() {
    Random random = new Random(7);
    for (long leaseMs : new long[] {1_000, 3_000, 4_000, 5_000, 30_000, 120_000}) {
      LeaseDeadlines deadlines = LeaseDeadlines.of(leaseMs, leaseMs / 3, HANDLER_STOP_MS);
      long leaseNs = TimeUnit.MILLISECONDS.toNanos(leaseMs);
      for (int run = 0; run < 200; run++) {
        int atRisk = firstTick(deadlines, deadlines::atRisk, random);
        int runningOut = firstTick(deadlines, deadlines::runningOut, random);
        long stopNs = (runningOut - atRisk) * deadlines.tickNs();
        long wanted = Math.min(TimeUnit.MILLISECONDS.toNanos(HANDLER_STOP_MS), leaseNs / 3 - deadlines.tickNs());
        assertTrue(stopNs >= wanted, "lease " + leaseMs + " ms: handlers had " + stopNs / 1_000_000 + " ms to stop");
        assertTrue((runningOut + 0.5) * deadlines.tickNs() < leaseNs, "lease " + leaseMs + ": gone before it ends");
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
    assertTrue(!normal.runningOut(ms(27_900)) && normal.runningOut(ms(28_100)), "two ticks before 30 s");
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
