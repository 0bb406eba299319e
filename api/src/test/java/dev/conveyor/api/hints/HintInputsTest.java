package dev.conveyor.api.hints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.cache.JobMetrics;
import dev.conveyor.jobs.Priority;
import dev.conveyor.store.JobStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an API process's refreshes make of what they read. */
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

  /** A refresh's reads: {@code finished} and {@code started} jobs of type t so far, none of it of any length. */
  private static void refresh(HintInputs inputs, long finished, long started, Long queued, Instant at) {
    JobMetrics.Snapshot snapshot = new JobMetrics.Snapshot(Map.of(), Map.of("t succeeded", finished), Map.of(),
        Map.of("t", new JobMetrics.Histogram(new long[0], 0, started)));
    long[] none = new long[BOUNDS.length + 1];
    JobMetrics.HintDurations durations = new JobMetrics.HintDurations(Map.of("t", none),
        Map.of("t", new long[JobMetrics.FIRST_REPORT_BUCKETS.length + 1]), Map.of("t", none),
        Map.of("t", new long[JobMetrics.CLAIM_LAG_BUCKETS_MS.length + 1]));
    inputs.update(List.of("t"), snapshot, durations,
        queued == null ? null : Map.of("t", Map.of(Priority.NORMAL, new JobStore.Queued(queued, 0))),
        queued == null ? null : Map.of("t", JobStore.Running.NONE), at);
  }

  @Test
  void whatLeftTheQueueSinceItWasCountedIsTheMoreOfTheFirstStartsAndTheFinishesSince() {
    HintInputs inputs = new HintInputs(null, null, null, null, "ns");
    Instant counted = Instant.parse("2026-12-05T10:00:00Z");
    refresh(inputs, 100, 50, 2_000L, counted);
    TypeState atCount = inputs.state("t");
    assertEquals(counted, atCount.leftCountedAt(), "the counters dated when the reads began");
    assertTrue(atCount.countedAt().isAfter(counted), "the count when it came, after PostgreSQL counted");
    assertEquals(0, atCount.leftSinceCount());
    Instant later = counted.plusMillis(250);
    refresh(inputs, 400, 450, null, later);
    assertEquals(400, inputs.state("t").leftSinceCount(), "400 first starts, where 300 finished");
    assertEquals(atCount.countedAt(), inputs.state("t").countedAt(), "the count stays");
    assertEquals(later, inputs.state("t").leftCountedAt());
    refresh(inputs, 500, 450, null, later.plusMillis(250));
    assertEquals(400, inputs.state("t").leftSinceCount(), "400 finished since too: retries queued again, say");
    refresh(inputs, 20, 10, null, later.plusMillis(500));
    assertEquals(-1, inputs.state("t").leftSinceCount(), "the counters started again: not known");
    refresh(inputs, 20, 10, 1_000L, later.plusMillis(750));
    assertEquals(0, inputs.state("t").leftSinceCount(), "a new count, from the counters as they are");
  }

  @Test
  void aTypeThatHadFinishedNothingWhenItsQueueWasCountedCountsFromNothing() {
    HintInputs inputs = new HintInputs(null, null, null, null, "ns");
    Instant counted = Instant.parse("2026-12-05T10:00:00Z");
    JobMetrics.Snapshot empty = new JobMetrics.Snapshot(Map.of(), Map.of(), Map.of(), Map.of());
    long[] none = new long[BOUNDS.length + 1];
    inputs.update(List.of("t"), empty, new JobMetrics.HintDurations(Map.of("t", none),
        Map.of("t", new long[JobMetrics.FIRST_REPORT_BUCKETS.length + 1]), Map.of("t", none),
        Map.of("t", new long[JobMetrics.CLAIM_LAG_BUCKETS_MS.length + 1])),
        Map.of("t", Map.of(Priority.NORMAL, new JobStore.Queued(2_000, 0))), Map.of("t", JobStore.Running.NONE),
        counted);
    refresh(inputs, 30, 70, null, counted.plusMillis(250));
    assertEquals(70, inputs.state("t").leftSinceCount());
  }

  /**
   * A refresh's reads: {@code finished} jobs of type t so far, each in one bucket of its durations, of its first
   * reports' shares, of its late reporters' lengths and of its claim lags; {@code queued} waiting.
   */
  private static void refreshWithDurations(HintInputs inputs, long finished, long queued) {
    JobMetrics.Snapshot snapshot = new JobMetrics.Snapshot(Map.of(), Map.of("t succeeded", finished), Map.of(),
        Map.of("t", new JobMetrics.Histogram(new long[0], 0, finished)));
    long[] shares = new long[JobMetrics.FIRST_REPORT_BUCKETS.length + 1];
    shares[100] = finished;
    long[] lags = new long[JobMetrics.CLAIM_LAG_BUCKETS_MS.length + 1];
    lags[10] = finished;
    JobMetrics.HintDurations durations = new JobMetrics.HintDurations(Map.of("t", counts(50, finished)),
        Map.of("t", shares), Map.of("t", counts(500, finished)), Map.of("t", lags));
    inputs.update(List.of("t"), snapshot, durations,
        Map.of("t", Map.of(Priority.NORMAL, new JobStore.Queued(queued, 0))), Map.of("t", JobStore.Running.NONE),
        Instant.now());
  }

  @Test
  void aBacklogsJobsWeighAFloodTogetherInEveryHistoryAndAQuietTypesOneEach() {
    HintInputs flooded = new HintInputs(null, null, null, null, "ns");
    refreshWithDurations(flooded, 0, 3_000);
    refreshWithDurations(flooded, 1_000, 2_000);
    double weight = 1_000 * FloodWeight.FLOOD_WEIGHT / 3_000;
    TypeState state = flooded.state("t");
    assertEquals(weight, state.durations().total(), 0.01, "1,000 of a backlog of 3,000 jobs: a third of a flood");
    assertEquals(weight, state.firstReports().shares().total(), 0.01, "their first reports alike");
    assertEquals(weight, state.firstReports().lateLengths().total(), 0.01);
    assertEquals(weight, state.firstReports().claimLags().total(), 0.01);
    HintInputs quiet = new HintInputs(null, null, null, null, "ns");
    refreshWithDurations(quiet, 0, 0);
    refreshWithDurations(quiet, 10, 0);
    assertEquals(10, quiet.state("t").durations().total(), 0.01, "10 jobs weigh 10");
    assertEquals(10, quiet.state("t").firstReports().claimLags().total(), 0.01);
  }

  @Test
  void aTypeFirstListedAfterTheProcessStartedIsSeededLikeOneListedAtItsStart() {
    HintInputs inputs = new HintInputs(null, null, null, null, "ns");
    refreshWithDurations(inputs, 0, 0);
    long[] past = counts(500, 100_000);
    long[] shares = new long[JobMetrics.FIRST_REPORT_BUCKETS.length + 1];
    long[] lags = new long[JobMetrics.CLAIM_LAG_BUCKETS_MS.length + 1];
    JobMetrics.Snapshot snapshot = new JobMetrics.Snapshot(Map.of(), Map.of("t succeeded", 0L, "u succeeded",
        100_000L), Map.of(), Map.of());
    JobMetrics.HintDurations durations = new JobMetrics.HintDurations(
        Map.of("t", counts(50, 0), "u", past), Map.of("t", shares, "u", shares),
        Map.of("t", counts(500, 0), "u", counts(500, 0)), Map.of("t", lags, "u", lags));
    inputs.update(List.of("t", "u"), snapshot, durations, null, null, Instant.now());
    assertEquals(10, inputs.state("u").durations().total(), 1e-9,
        "100,000 jobs counted before it was listed weigh as ten recent ones, not 100,000");
  }
}
