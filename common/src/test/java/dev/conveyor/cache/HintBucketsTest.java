package dev.conveyor.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fine buckets of the durations the poll hints read. */
class HintBucketsTest {
  private static final long[] BOUNDS = JobMetrics.HINT_BUCKETS_MS;

  @Test
  void bucketsAreOneMillisecondWideAtFirstThenHalfAPercentUpToAnHour() {
    for (int i = 1; i < BOUNDS.length; i++) {
      long width = BOUNDS[i] - BOUNDS[i - 1];
      assertTrue(width >= 1, "rising at " + i);
      assertTrue(width == 1 || width <= Math.ceil(BOUNDS[i - 1] * 0.005) + 1, "0.5 % wide at " + BOUNDS[i]);
    }
    assertEquals(1, BOUNDS[0]);
    assertTrue(BOUNDS[BOUNDS.length - 1] >= 3_590_000 && BOUNDS[BOUNDS.length - 1] <= 3_600_000);
    assertTrue(BOUNDS.length < 2_500, "a small hash per type: " + BOUNDS.length);
  }

  @Test
  void aDurationFallsInTheFirstBucketThatHoldsIt() {
    assertEquals(0, JobMetrics.hintBucket(Duration.ZERO));
    assertEquals(0, JobMetrics.hintBucket(Duration.ofNanos(1_000_000)), "up to 1 ms");
    assertEquals(1, JobMetrics.hintBucket(Duration.ofNanos(1_000_001)));
    int twoSeconds = JobMetrics.hintBucket(Duration.ofMillis(2_000));
    assertTrue(BOUNDS[twoSeconds] >= 2_000 && BOUNDS[twoSeconds - 1] < 2_000);
    assertEquals(BOUNDS.length, JobMetrics.hintBucket(Duration.ofHours(2)), "the last bucket is unbounded");
  }

  @Test
  void aFirstReportsShareFallsInThePerMilleThatHoldsItNeverAnEarlierOne() {
    assertEquals(0, JobMetrics.firstReportBucket(0), "at once: up to 1 per mille");
    assertEquals(249, JobMetrics.firstReportBucket(0.25), "a quarter in: up to 250");
    assertEquals(250, JobMetrics.firstReportBucket(0.2501), "a moment past it: up to 251");
    assertEquals(100, JobMetrics.firstReportBucket(0.1002), "a thread's wake-up past 10 %: up to 101, not 110");
    assertEquals(999, JobMetrics.firstReportBucket(1), "never, or at the end: up to 1000");
    assertEquals(1000, JobMetrics.FIRST_REPORT_BUCKETS.length);
  }
}
