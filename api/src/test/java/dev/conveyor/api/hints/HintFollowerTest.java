package dev.conveyor.api.hints;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.cache.JobMetrics;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Priority;
import dev.conveyor.jobs.Progress;
import dev.conveyor.store.JobStore;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client that only follows the hints, against a simulated job: due at 0, started at {@link #START_MS}, reporting
 * progress in ten steps (or not at all), ended {@link #END_MS} after its handler and seen ended {@link #SEEN_MS}
 * later. Counts its reads and how late the last one came, as the polling benchmark does on a real server.
 */
class HintFollowerTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final long START_MS = 20;
  private static final long END_MS = 10;
  private static final long SEEN_MS = 10;
  private static final long MIN_MS = 100;

  /** What following the hints cost: reads, and how long after its end the job was seen ended. */
  private record Followed(long reads, long lateMs) {
  }

  /** The polling benchmark's own history: jobs of 0.2 s, 2 s and 20 s, as measured (a few ms over the sleep). */
  private static DurationHistory benchmarkHistory() {
    DurationHistory h = DurationHistory.empty(JobMetrics.HINT_BUCKETS_MS);
    for (long ms : new long[] {230, 2_030, 20_030}) {
      h = HintEstimatorTest.finished(h, 10, ms);
    }
    return h;
  }

  @Test
  void aJobReportingProgressIsSeenEndedWithinATenthOfItsLengthInAFewReads() {
    DurationHistory history = benchmarkHistory();
    for (long ms : new long[] {200, 1_000, 2_000, 3_000, 5_000, 10_000, 20_000}) {
      Followed f = follow(history, ms, true);
      assertTrue(f.reads() <= 3, ms + " ms: " + f);
      assertTrue(f.lateMs() <= Math.max(100, ms / 10), ms + " ms: " + f);
    }
  }

  @Test
  void aJobReportingProgressOfALengthNotSeenLatelyIsSeenEndedWithinATenthOfItsLength() {
    for (long recent : new long[] {3_000, 20_000}) {
      DurationHistory history = HintEstimatorTest.finished(DurationHistory.empty(JobMetrics.HINT_BUCKETS_MS), 30,
          recent + 30);
      for (long ms : new long[] {recent / 6, recent / 3, recent / 2, recent * 2}) {
        Followed f = follow(history, ms, true);
        assertTrue(f.reads() <= 4, ms + " ms after jobs of " + recent + " ms: " + f);
        assertTrue(f.lateMs() <= Math.max(100, ms / 10), ms + " ms after jobs of " + recent + " ms: " + f);
      }
    }
  }

  @Test
  void aJobReportingProgressIsSeenEndedWithinATenthOfItsLengthAfterALengthAndAFewShortOnes() {
    DurationHistory empty = DurationHistory.empty(JobMetrics.HINT_BUCKETS_MS);
    DurationHistory history = HintEstimatorTest.finished(HintEstimatorTest.finished(empty, 28, 3_030), 4, 230);
    for (long ms : new long[] {1_000, 2_000, 3_000}) {
      Followed f = follow(history, HintEstimatorTest.reportedAt(30, 10), ms, true);
      assertTrue(f.reads() <= 3, ms + " ms: " + f);
      assertTrue(f.lateMs() <= Math.max(100, ms / 10), ms + " ms: " + f);
    }
    Followed silent = follow(history, 3_000, false);
    assertTrue(silent.reads() <= 1, "a job of 3 s of a type that does not report: read at their end, " + silent);
  }

  @Test
  void withoutProgressAJobOfALengthSeenLatelyIsSeenEndedAtOnce() {
    DurationHistory history = benchmarkHistory();
    for (long ms : new long[] {200, 2_000, 20_000}) {
      Followed f = follow(history, ms, false);
      assertTrue(f.reads() <= 3, ms + " ms: " + f);
      assertTrue(f.lateMs() <= Math.max(100, ms / 100 + 50), ms + " ms: " + f + " (buckets are 0.5 % wide)");
    }
  }

  @Test
  void withoutProgressOrHistoryReadsGrowWithTheLogarithmOfTheJobsLength() {
    DurationHistory none = DurationHistory.empty(JobMetrics.HINT_BUCKETS_MS);
    for (long ms : new long[] {1_000, 10_000, 100_000}) {
      Followed f = follow(none, ms, false);
      double geometric = Math.log((double) ms / HintEstimator.COLD_START_MS) / Math.log(1.5);
      assertTrue(f.reads() <= geometric + 3, ms + " ms: " + f + ", each read half the job's age after the last");
      assertTrue(f.lateMs() <= ms / 2 + HintEstimator.COLD_START_MS, ms + " ms: " + f);
    }
  }

  @Test
  void aLongJobOfATypeThatReportsEarlyIsSeenEndedInAFewReadsWhateverTheLengthsSeenLately() {
    FirstReports tenSteps = HintEstimatorTest.reportedAt(30, 10);
    DurationHistory shortOnes = HintEstimatorTest.finished(DurationHistory.empty(JobMetrics.HINT_BUCKETS_MS), 30, 230);
    for (DurationHistory history : new DurationHistory[] {benchmarkHistory(), shortOnes}) {
      for (long ms : new long[] {5_000, 10_000, 30_000, 45_000, 60_000}) {
        Followed f = follow(history, tenSteps, ms, true);
        // A hint is at most 30 s: a job of over 30 s takes one more read.
        assertTrue(f.reads() <= (ms <= 30_000 ? 4 : 5), ms + " ms: " + f);
        assertTrue(f.lateMs() <= Math.max(100, ms / 10), ms + " ms: " + f);
      }
    }
  }

  @Test
  void aJobLongerThanTheLongestHintTakesNoReadMoreThanTheLongestHintsForceWhenItsLengthWasSeenLately() {
    FirstReports tenSteps = HintEstimatorTest.reportedAt(30, 10);
    DurationHistory withThem = HintEstimatorTest.finished(benchmarkHistory(), 10, 60_030);
    DurationHistory onlyThem = HintEstimatorTest.finished(DurationHistory.empty(JobMetrics.HINT_BUCKETS_MS), 30,
        60_030);
    for (DurationHistory history : new DurationHistory[] {withThem, onlyThem}) {
      Followed f = follow(history, tenSteps, 60_000, true);
      assertTrue(f.reads() <= 4, "60 s: " + f);
      assertTrue(f.lateMs() <= 6_000, "60 s: " + f);
    }
  }

  @Test
  void aJobThatNeverReportsOfATypeWhoseJobsReportEarlyIsSeenLateButBoundedly() {
    // The price of reading silence as length: such a job is taken to be ten times as long as it has run.
    for (long ms : new long[] {1_000, 5_000, 20_000}) {
      Followed f = follow(benchmarkHistory(), HintEstimatorTest.reportedAt(30, 10), ms, false);
      assertTrue(f.reads() <= 4, ms + " ms: " + f);
      assertTrue(f.lateMs() <= 10 * ms, ms + " ms: " + f);
    }
  }

  private static Followed follow(DurationHistory history, long ms, boolean reportsProgress) {
    return follow(history, HintEstimatorTest.UNREPORTED, ms, reportsProgress);
  }

  private static Followed follow(DurationHistory history, FirstReports firstReports, long ms,
      boolean reportsProgress) {
    long end = START_MS + ms + END_MS;
    long t = hintAt(history, firstReports, ms, reportsProgress, 0);
    for (long reads = 1; reads < 1_000; reads++) {
      if (t >= end + SEEN_MS) {
        return new Followed(reads, t - end);
      }
      t += hintAt(history, firstReports, ms, reportsProgress, t);
    }
    throw new AssertionError("never seen ended");
  }

  /** The hint answered at {@code t} ms; a job not yet started is queued with nothing ahead. */
  private static long hintAt(DurationHistory history, FirstReports firstReports, long ms, boolean reportsProgress,
      long t) {
    Job job;
    if (t < START_MS) {
      job = new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 0, 3, null,
          null, null, T0, null, T0, null, null, null, false, 1, null);
    } else {
      long steps = reportsProgress ? Math.min(10, (t - START_MS) * 10 / ms) : 0;
      Progress progress = steps > 0 ? new Progress((int) steps * 10, "step " + steps) : null;
      Instant changed = T0.plusMillis(START_MS + steps * ms / 10);
      job = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), progress, 1, 3,
          null, null, null, T0, T0.plusMillis(START_MS), changed, null, null, null, false, 1, null);
    }
    return HintEstimator.hint(job, T0.plusMillis(t), new TypeState(history, firstReports, 0, 0, Map.of(), JobStore.Running.NONE, T0),
        0, 0, MIN_MS, 30_000);
  }
}
