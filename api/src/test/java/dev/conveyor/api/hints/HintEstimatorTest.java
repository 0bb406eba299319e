package dev.conveyor.api.hints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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

/** The estimator on synthetic histories, one input at a time; jitter 0 (none) and load 0 unless said. */
class HintEstimatorTest {
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  private static final long[] BOUNDS = new long[JobMetrics.BUCKETS.length];
  static {
    for (int i = 0; i < BOUNDS.length; i++) {
      BOUNDS[i] = Math.round(JobMetrics.BUCKETS[i] * 1000);
    }
  }
  private static final DurationHistory NONE = DurationHistory.empty(BOUNDS);

  /** {@code n} jobs of {@code ms} each, just finished. */
  static DurationHistory finished(DurationHistory history, int n, long ms) {
    long[] added = new long[BOUNDS.length + 1];
    int bucket = 0;
    while (bucket < BOUNDS.length && ms > BOUNDS[bucket]) {
      bucket++;
    }
    added[bucket] = n;
    return history.decayAndAdd(1, added);
  }

  /** Ten jobs each of 0.2 s, 2 s and 20 s. */
  private static DurationHistory mixed() {
    return finished(finished(finished(NONE, 10, 200), 10, 2_000), 10, 20_000);
  }

  private static Job job(JobStatus status, Priority priority, Instant startedAt, Progress progress, Instant updatedAt) {
    return new Job(JobIds.next(), "t", "sleep", status, priority, Json.object(), progress, 1, 3, null, null, null,
        NOW.minusSeconds(60), startedAt, updatedAt, null, null, null, false, 1, null);
  }

  private static Job queued(Priority priority) {
    return job(JobStatus.QUEUED, priority, null, null, NOW);
  }

  private static Job running(long elapsedMs, Progress progress, long progressAtMs) {
    Instant started = NOW.minusMillis(elapsedMs);
    return job(JobStatus.RUNNING, Priority.NORMAL, started, progress, started.plusMillis(progressAtMs));
  }

  private static long hint(Job job, TypeState type) {
    return HintEstimator.hint(job, NOW, type, 0, 0, 1, 3_600_000);
  }

  @Test
  void aTerminalJobHasNoHint() {
    assertNull(HintEstimator.hint(job(JobStatus.SUCCEEDED, Priority.NORMAL, NOW, null, NOW), NOW,
        new TypeState(NONE, 0, 0, Map.of(), NOW), 0, 0.5, 100, 30_000));
  }

  @Test
  void aColdStartLooksSoonAndThenBacksOffWithTheJobsAge() {
    TypeState cold = new TypeState(NONE, 0, 0, Map.of(), NOW);
    assertEquals(HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), cold));
    assertEquals(HintEstimator.COLD_START_MS, hint(running(100, null, 0), cold));
    assertEquals(4_000, hint(running(8_000, null, 0), cold), "half its age");
  }

  private static JobStore.Queued waiting(long count) {
    return new JobStore.Queued(count, 5_000);
  }

  @Test
  void aQueuedJobWaitsForTheWorkAheadOfItAtTheTypesDrainRate() {
    TypeState busy = new TypeState(NONE, 100, 0, Map.of(Priority.HIGH, waiting(200), Priority.NORMAL, waiting(1_000),
        Priority.LOW, waiting(5_000)), NOW);
    assertEquals(9_600 + HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), busy),
        "1,200 jobs of its priority or higher, 100 a second: the first read at 80 % of that wait");
    assertEquals(1_600 + HintEstimator.COLD_START_MS, hint(queued(Priority.HIGH), busy), "a high job: 200 ahead");
    assertEquals(49_600 + HintEstimator.COLD_START_MS, hint(queued(Priority.LOW), busy));
    TypeState stalled = new TypeState(NONE, 0, 0, Map.of(Priority.NORMAL, waiting(1_000)), NOW);
    assertEquals(HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), stalled),
        "with no drain rate yet, no wait is made up");
    TypeState counted = new TypeState(NONE, 100, 0, Map.of(Priority.NORMAL, waiting(1_000)), NOW.minusSeconds(4));
    assertEquals(4_800 + HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), counted),
        "counted 4 s ago: 400 of them have drained since");
    TypeState flowing = new TypeState(NONE, 100, 0, Map.of(Priority.NORMAL, new JobStore.Queued(1_000, 300)), NOW);
    assertEquals(HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), flowing),
        "jobs queued only a moment are starting, not waiting");
  }

  @Test
  void aBurstIsWorkAheadAtOnceWhenTheWorkersCapacityIsKnown() {
    TypeState learnt = new TypeState(NONE, 0, 500, Map.of(Priority.NORMAL, new JobStore.Queued(0, 0)), NOW)
        .plus(Map.of(Priority.NORMAL, 2_000L));
    assertEquals(2_000, learnt.queued(Priority.NORMAL).count(), "jobs just accepted are counted before PostgreSQL is");
    assertEquals(3_200 + HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), learnt),
        "2,000 just queued at the 500 a second the workers did under the last backlog, though none has waited yet");
    TypeState idle = new TypeState(NONE, 1, 500, Map.of(Priority.NORMAL, new JobStore.Queued(3, 100)), NOW);
    assertTrue(hint(queued(Priority.NORMAL), idle) <= HintEstimator.COLD_START_MS + 10,
        "a few queued at a low arrival rate are not a long wait when the capacity is known");
  }

  @Test
  void aQueuedJobsFirstLookIsTheTypesShortestRecentDurations() {
    TypeState longJobs = new TypeState(finished(NONE, 50, 20_000), 0, 0, Map.of(), NOW);
    long first = hint(queued(Priority.NORMAL), longJobs);
    assertTrue(first >= 10_000 && first <= 20_000, "near the end of a 20 s job: " + first);
    TypeState mixed = new TypeState(mixed(), 0, 0, Map.of(), NOW);
    assertTrue(hint(queued(Priority.NORMAL), mixed) <= 250, "a type whose jobs may be short looks early");
  }

  @Test
  void aRunningJobsProgressRateAimsJustPastItsEnd() {
    TypeState any = new TypeState(NONE, 0, 0, Map.of(), NOW);
    long aim = hint(running(2_100, new Progress(10, null), 2_000), any);
    assertEquals(20_000 - 2_100 + 100, aim, "10 % after 2 s: 20 s in all, 0.5 % past the end");
    long overdue = hint(running(25_000, new Progress(90, null), 18_000), any);
    assertEquals(1_000, overdue, "past its estimated end (20 s): every 5 % of it");
  }

  @Test
  void aRunningJobWithoutProgressFollowsTheDurationsOfThoseThatRanLonger() {
    TypeState mixed = new TypeState(mixed(), 0, 0, Map.of(), NOW);
    long afterShort = hint(running(300, null, 0), mixed);
    assertTrue(afterShort > 500 && afterShort < 2_500, "past the 0.2 s jobs, where half the rest end: " + afterShort);
    long afterMiddle = hint(running(3_000, null, 0), mixed);
    assertTrue(afterMiddle > 5_000 && afterMiddle < 27_000, "past the 2 s jobs, toward the 20 s ones: " + afterMiddle);
    long beyond = hint(running(3_000_000, null, 0), mixed);
    assertEquals(1_500_000, beyond, "longer than anything seen: half its age");
  }

  @Test
  void theRecentPastCountsMost() {
    DurationHistory old = finished(NONE, 100, 20_000);
    DurationHistory aged = finished(old.decayAndAdd(0.01, new long[0]), 20, 200);
    TypeState type = new TypeState(aged, 0, 0, Map.of(), NOW);
    assertTrue(hint(queued(Priority.NORMAL), type) <= 250, "20 recent short jobs outweigh 100 old long ones");
    assertTrue(aged.total() < 22, "decayed: " + aged.total());
  }

  @Test
  void loadStretchesHintsJitterSpreadsThemAndTheClampsHold() {
    TypeState cold = new TypeState(NONE, 0, 0, Map.of(), NOW);
    Job job = running(8_000, null, 0);
    assertEquals(4_000, HintEstimator.hint(job, NOW, cold, 0.8, 0, 1, 60_000), "under 80 % of the CPU: as is");
    assertEquals(8_000, HintEstimator.hint(job, NOW, cold, 0.9, 0, 1, 60_000));
    assertEquals(12_000, HintEstimator.hint(job, NOW, cold, 1.0, 0, 1, 60_000), "saturated: three times");
    assertEquals(4_000, HintEstimator.hint(job, NOW, cold, 0, 0, 1, 60_000), "jitter never shortens a hint");
    assertEquals(4_200, HintEstimator.hint(job, NOW, cold, 0, 0.99999, 1, 60_000), "up to +5 %");
    assertEquals(5_000, HintEstimator.hint(job, NOW, cold, 0, 0, 5_000, 60_000), "CONVEYOR_POLL_MIN_MS");
    assertEquals(3_000, HintEstimator.hint(job, NOW, cold, 1.0, 0, 1, 3_000), "CONVEYOR_POLL_MAX_MS");
  }

  @Test
  void quantilesInterpolateWithinBucketsAndOnlyAmongLongerJobsWhenAsked() {
    DurationHistory h = finished(finished(NONE, 10, 200), 10, 2_000);
    assertEquals(-1, NONE.quantile(0.5));
    assertEquals(100, h.quantileFloor(0.25), "the start of the (100, 250] ms bucket");
    assertEquals(1_000, h.quantileFloor(0.75), "the start of the (1, 2.5] s bucket");
    assertEquals(-1, NONE.quantileFloor(0.5));
    long median = h.quantile(0.5);
    assertTrue(median >= 100 && median <= 250, "half ended within the (100, 250] ms bucket: " + median);
    long longer = h.conditionalQuantile(0.5, 300);
    assertTrue(longer > 1_000 && longer <= 2_500, "of those past 300 ms: " + longer);
    assertEquals(-1, h.conditionalQuantile(0.5, 5_000), "none ran that long");
  }
}
