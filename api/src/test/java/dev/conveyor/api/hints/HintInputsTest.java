package dev.conveyor.api.hints;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveyor.cache.JobMetrics;
import org.junit.jupiter.api.Test;

/** How an API process's first refresh weighs what the workers counted before it started. */
class HintInputsTest {
  private static final long[] BOUNDS = JobMetrics.HINT_BUCKETS_MS;

  private static long[] counts(int bucket, long n) {
    long[] counts = new long[BOUNDS.length + 1];
    counts[bucket] = n;
    return counts;
  }

  @Test
  void aFirstHistoryWeighsAsTenRecentJobsAndItsLateReportersAsTheirShareOfThem() {
    long[] all = counts(500, 100_000);
    DurationHistory durations = HintInputs.seeded(BOUNDS, all, all);
    DurationHistory late = HintInputs.seeded(BOUNDS, counts(500, 2_000), all);
    assertEquals(10, durations.total(), 1e-9, "100,000 jobs counted weigh as ten recent ones");
    assertEquals(0.2, late.total(), 1e-9, "2,000 of them reported late: a fiftieth of that, not ten again");
    assertEquals(4, HintInputs.seeded(BOUNDS, counts(500, 4), counts(500, 4)).total(), 1e-9,
        "fewer than ten weigh what they are");
    assertEquals(0, HintInputs.seeded(BOUNDS, counts(500, 0), all).total(), 1e-9);
  }
}
