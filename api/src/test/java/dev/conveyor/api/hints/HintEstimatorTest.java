package dev.conveyor.api.hints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The estimator on synthetic histories, one input at a time; jitter 0 (none) and load 0 unless said. */
class HintEstimatorTest {
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  private static final long[] BOUNDS = JobMetrics.HINT_BUCKETS_MS;
  private static final DurationHistory NONE = DurationHistory.empty(BOUNDS);
  /** No first reports of progress known: a job's lack of progress says nothing of its length. */
  static final FirstReports UNREPORTED = FirstReports.NONE;
  private static final JobStore.Running IDLE = JobStore.Running.NONE;

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

  /** A type whose recent jobs first reported progress {@code n} times at each of {@code percents} into their run. */
  static FirstReports reportedAt(int n, int... percents) {
    long[] added = new long[JobMetrics.FIRST_REPORT_BUCKETS.length + 1];
    for (int percent : percents) {
      added[percent * 10 - 1] += n;
    }
    return new FirstReports(UNREPORTED.shares().decayAndAdd(1, added), UNREPORTED.lateLengths());
  }

  /** {@code n} claims whose handlers began {@code ms} after them. */
  private static long[] lagsOf(int n, int ms) {
    long[] added = new long[JobMetrics.CLAIM_LAG_BUCKETS_MS.length + 1];
    added[Math.min(ms, JobMetrics.CLAIM_LAG_BUCKETS_MS.length) - 1] = n;
    return added;
  }

  /** No reports, and {@code n} claims whose handlers began {@code ms} after them. */
  private static FirstReports claimLags(int n, int ms) {
    return new FirstReports(UNREPORTED.shares(), UNREPORTED.lateLengths(),
        UNREPORTED.claimLags().decayAndAdd(1, lagsOf(n, ms)));
  }

  /** {@code reports}' shares with {@code n} more at 100 %. */
  private static DurationHistory reportAtEndShares(FirstReports reports, int n) {
    long[] atEnd = new long[JobMetrics.FIRST_REPORT_BUCKETS.length + 1];
    atEnd[JobMetrics.FIRST_REPORT_BUCKETS.length - 1] = n;
    return reports.shares().decayAndAdd(1, atEnd);
  }

  /** The same, with {@code n} more jobs of {@code ms} that reported only at their end. */
  static FirstReports reportedAtEnd(FirstReports reports, int n, long ms) {
    return new FirstReports(reportAtEndShares(reports, n), finished(reports.lateLengths(), n, ms));
  }

  /** Ten jobs each of 0.2 s, 2 s and 20 s. */
  private static DurationHistory mixed() {
    return finished(finished(finished(NONE, 10, 200), 10, 2_000), 10, 20_000);
  }

  private static Job job(JobStatus status, Priority priority, Instant startedAt, Progress progress, Instant updatedAt) {
    return new Job(JobIds.next(), "t", "sleep", status, priority, Json.object(), progress, 1, 3, null, null, null,
        NOW, startedAt, updatedAt, null, null, null, false, 1, null);
  }

  private static Job queued(Priority priority) {
    return job(JobStatus.QUEUED, priority, null, null, NOW);
  }

  /** Queued, due since {@code ms} ago. */
  private static Job queuedSince(long ms) {
    Instant due = NOW.minusMillis(ms);
    return new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 0, 3, null,
        null, null, due, null, due, null, null, null, false, 1, null);
  }

  private static Job running(long elapsedMs, Progress progress, long progressAtMs) {
    Instant started = NOW.minusMillis(elapsedMs);
    return job(JobStatus.RUNNING, Priority.NORMAL, started, progress, started.plusMillis(progressAtMs));
  }

  /** The margin on a wait drained at a rate, with the shortest hint of 1 ms: what a read costs, 3 ms. */
  private static final long MARGIN = 3;

  private static long hint(Job job, TypeState type) {
    return HintEstimator.hint(job, NOW, type, 0, 0, 1, 3_600_000);
  }

  @Test
  void aTerminalJobHasNoHint() {
    assertNull(HintEstimator.hint(job(JobStatus.SUCCEEDED, Priority.NORMAL, NOW, null, NOW), NOW,
        new TypeState(NONE, UNREPORTED, 0, 0, Map.of(), IDLE, NOW), 0, 0.5, 100, 30_000));
  }

  @Test
  void aColdStartLooksSoonAndThenBacksOffWithTheJobsAge() {
    TypeState cold = new TypeState(NONE, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), cold));
    assertEquals(HintEstimator.COLD_START_MS, hint(running(100, null, 0), cold));
    assertEquals(4_000, hint(running(8_000, null, 0), cold), "half its age");
    Instant due = NOW.minusSeconds(6);
    Job waited = new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 0, 3,
        null, null, null, due, null, due, null, null, null, false, 1, null);
    assertEquals(3_000, hint(waited, cold), "queued for 6 s: half its wait");
  }

  @Test
  void aHistoryStartsWithTheShapeOfAllJobsCountedWeighingAsAFewRecentOnes() {
    long[] counts = new long[BOUNDS.length + 1];
    counts[10] = 3_000;
    counts[20] = 1_000;
    DurationHistory started = DurationHistory.shapeOf(BOUNDS, counts, 10);
    assertEquals(10, started.total(), 1e-9);
    assertTrue(started.known());
    assertEquals(BOUNDS[10], started.endWithin(0.5, 0, Long.MAX_VALUE), "three of four ended in bucket 10");
    assertEquals(4, DurationHistory.shapeOf(BOUNDS, new long[] {1, 3}, 10).total(), 1e-9, "fewer: as they are");
    DurationHistory next = started.decayAndAdd(1, finishedIn(20, 30));
    assertEquals(BOUNDS[20], next.endWithin(0.5, 0, Long.MAX_VALUE), "soon outweighed by what finishes next");
  }

  private static long[] finishedIn(int bucket, long n) {
    long[] added = new long[BOUNDS.length + 1];
    added[bucket] = n;
    return added;
  }

  private static JobStore.Queued waiting(long count) {
    return new JobStore.Queued(count, 5_000);
  }

  @Test
  void aQueuedJobWaitsForTheWorkAheadOfItAtTheTypesDrainRate() {
    TypeState busy = new TypeState(NONE, UNREPORTED, 100, 0, Map.of(Priority.HIGH, waiting(200), Priority.NORMAL, waiting(1_000),
        Priority.LOW, waiting(5_000)), IDLE, NOW);
    assertEquals(12_000 + MARGIN + HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), busy),
        "1,200 jobs of its priority or higher, 100 a second: the first read once that wait is over");
    assertEquals(2_000 + MARGIN + HintEstimator.COLD_START_MS, hint(queued(Priority.HIGH), busy),
        "a high job: 200 ahead");
    assertEquals(62_000 + MARGIN + HintEstimator.COLD_START_MS, hint(queued(Priority.LOW), busy));
    TypeState stalled = new TypeState(NONE, UNREPORTED, 0, 0, Map.of(Priority.NORMAL, waiting(1_000)), IDLE, NOW);
    assertEquals(HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), stalled),
        "with no drain rate yet, no wait is made up");
    TypeState counted = new TypeState(NONE, UNREPORTED, 100, 0, Map.of(Priority.NORMAL, waiting(1_000)), IDLE,
        NOW.minusSeconds(4));
    assertEquals(6_000 + MARGIN + HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), counted),
        "counted 4 s ago: 400 of them have drained since");
    TypeState flowing = new TypeState(NONE, UNREPORTED, 100, 0, Map.of(Priority.NORMAL, new JobStore.Queued(1_000, 300)), IDLE,
        NOW);
    assertEquals(HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), flowing),
        "jobs queued only a moment are starting, not waiting");
  }

  @Test
  void aBurstIsWorkAheadAtOnceWhenTheWorkersCapacityIsKnown() {
    TypeState learnt = new TypeState(NONE, UNREPORTED, 0, 500, Map.of(Priority.NORMAL, new JobStore.Queued(0, 0)), IDLE, NOW)
        .plus(Map.of(Priority.NORMAL, 2_000L), NOW);
    assertEquals(2_000, learnt.queued(Priority.NORMAL).count(), "jobs just accepted are counted before PostgreSQL is");
    assertEquals(4_000 + MARGIN + HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), learnt),
        "2,000 just queued at the 500 a second the workers did under the last backlog, though none has waited yet");
    TypeState idle = new TypeState(NONE, UNREPORTED, 1, 500, Map.of(Priority.NORMAL, new JobStore.Queued(3, 100)), IDLE, NOW);
    assertTrue(hint(queued(Priority.NORMAL), idle) <= HintEstimator.COLD_START_MS + 10,
        "a few queued at a low arrival rate are not a long wait when the capacity is known");
  }

  @Test
  void aWaitDrainedAtTheCapacityIsLengthenedByATenthAtMostWhatAReadCosts() {
    TypeState learnt = new TypeState(NONE, UNREPORTED, 0, 500, Map.of(Priority.NORMAL, new JobStore.Queued(0, 0)), IDLE, NOW);
    long shortest = 100;
    long cap = Math.round(HintEstimator.READ_COST * HintEstimator.borne(shortest));
    assertEquals(150, cap);
    assertEquals(4_000 + cap + HintEstimator.COLD_START_MS, HintEstimator.hint(queued(Priority.NORMAL), NOW,
        learnt.plus(Map.of(Priority.NORMAL, 2_000L), NOW), 0, 0, shortest, 3_600_000),
        "2,000 at 500 a second: 4 s, and 150 ms (not 400) past it");
    assertEquals(600 + 60 + HintEstimator.COLD_START_MS, HintEstimator.hint(queued(Priority.NORMAL), NOW,
        learnt.plus(Map.of(Priority.NORMAL, 300L), NOW), 0, 0, shortest, 3_600_000),
        "300 at 500 a second: 0.6 s, and a tenth of it");
  }

  @Test
  void whatDrainedSinceTheCountIsWhatFinishedSinceAndAtTheCapacityOnlyAfterTheLastRead() {
    Map<Priority, JobStore.Queued> backlog = Map.of(Priority.NORMAL, new JobStore.Queued(2_000, 0));
    Instant counted = NOW.minusMillis(1_600);
    TypeState assumed = new TypeState(NONE, UNREPORTED, 0, 700, 0, backlog, IDLE, counted);
    assertEquals(Math.round((2_000 - 700 * 1.6) / 0.7) + MARGIN + HintEstimator.COLD_START_MS,
        hint(queued(Priority.NORMAL), assumed), "finishes not known: drained at the capacity since the count");
    TypeState starting = new TypeState(NONE, UNREPORTED, 0, 700, 0, backlog, IDLE, counted, 300,
        NOW.minusMillis(100), true);
    assertEquals(Math.round((2_000 - 300 - 70) / 0.7) + MARGIN + HintEstimator.COLD_START_MS,
        hint(queued(Priority.NORMAL), starting),
        "a backlog as it starts: 300 finished by the last read, 100 ms ago, then at the capacity; not 1,120");
    TypeState plusBurst = starting.plus(Map.of(Priority.NORMAL, 100L), NOW);
    assertEquals(300, plusBurst.leftSinceCount(), "a burst accepted since keeps what left since the count");
    TypeState justCounted = new TypeState(NONE, UNREPORTED, 0, 700, 0, backlog, IDLE, NOW, 0, NOW, true);
    assertEquals(Math.round(2_000 / 0.7) + MARGIN + HintEstimator.COLD_START_MS,
        hint(queued(Priority.NORMAL), justCounted));
  }

  @Test
  void ofItsOwnPriorityOnlyTheJobsDueBeforeAQueuedJobAreAheadOfIt() {
    assertEquals(1, HintEstimator.dueBefore(0, 4_000), "just due: the whole queue came before it");
    assertEquals(0.25, HintEstimator.dueBefore(3_000, 4_000), 1e-9, "due 3 s of the 4 s the oldest has waited");
    assertEquals(0, HintEstimator.dueBefore(4_000, 4_000), "the oldest, or one of a burst due together");
    assertEquals(1, HintEstimator.dueBefore(0, 0), "nothing known of when the others came");
  }

  /** 1,000 queued together 1.9 to 1.5 s before the count, 10 more 0.2 s before it (the youngest tenth's wait). */
  private static final JobStore.Queued BACKLOG_THEN_TEN = new JobStore.Queued(1_010, 1_900,
      List.of(1_900L, 1_860L, 1_820L, 1_780L, 1_740L, 1_700L, 1_660L, 1_620L, 1_580L, 1_540L, 200L));

  @Test
  void aJobQueuedAfterABacklogQueuedAtOnceHasNearlyAllOfItAheadHoweverLongItHasWaited() {
    TypeState behind = new TypeState(NONE, UNREPORTED, 100, 0, Map.of(Priority.NORMAL, BACKLOG_THEN_TEN), IDLE, NOW);
    double ahead = 1_010 * HintEstimator.dueBefore(1_466, BACKLOG_THEN_TEN, 0);
    assertTrue(ahead > 900, "nearly all of it: " + ahead);
    assertEquals(ahead * 10 + MARGIN + 1_466 / 2, hint(queuedSince(1_466), behind), 1,
        "that many at 100 a second, then a first look at half its wait (nothing known of the type's lengths)");
    TypeState even = new TypeState(NONE, UNREPORTED, 100, 0, Map.of(Priority.NORMAL, new JobStore.Queued(1_010, 1_900)),
        IDLE, NOW);
    assertTrue(hint(queuedSince(1_466), even) < 3_500, "due evenly since the oldest: a quarter of it ahead");
  }

  @Test
  void aBurstAcceptedSinceTheCountIsBehindTheJobsCountedAndAheadOfThoseDueAfterIt() {
    TypeState burst = new TypeState(NONE, UNREPORTED, 100, 0, Map.of(Priority.NORMAL, BACKLOG_THEN_TEN), IDLE, NOW)
        .plus(Map.of(Priority.NORMAL, 500L), NOW);
    assertEquals(List.of(1_900L, 1_840L, 1_780L, 1_721L, 1_661L, 1_601L, 1_541L, 1L, 1L, 1L, 1L),
        burst.queued(Priority.NORMAL).waitTenthsMs(), "the youngest third of the queue is the burst");
    assertEquals(1_510 * 10 + MARGIN + HintEstimator.COLD_START_MS, hint(queued(Priority.NORMAL), burst),
        "one of the burst, due now: everything counted and the burst ahead");
    assertEquals(0.9 + 0.1 * (1_540 - 1_466) / 1_340.0,
        HintEstimator.dueBefore(1_466, burst.queued(Priority.NORMAL), 0) * 1_510 / 1_010, 0.005,
        "one of the 10 counted: behind nearly all the backlog, and none of the burst");
  }

  @Test
  void aJobSubmittedAfterABatchHasAllOfTheBatchAhead() {
    // Nothing queued at the count, 1 s ago; a batch of 2,000 made 0.9 s ago; then a job made 0.5 s ago, whose 202
    // answers now.
    TypeState batch = new TypeState(NONE, UNREPORTED, 0, 500, Map.of(), IDLE, NOW.minusMillis(1_000))
        .plus(Map.of(Priority.NORMAL, 2_000L), NOW.minusMillis(900));
    assertEquals(1, HintEstimator.dueBefore(500, batch.queued(Priority.NORMAL), 1_000), "all of it ahead, not 50 %");
    assertEquals((2_000 - 500) * 2 + MARGIN + 500 / 2, hint(queuedSince(500), batch),
        "2,000, of which 500 drained since the count, at 500 a second; then a look after half its wait (nothing known"
            + " of the type's lengths)");
    assertEquals(1, HintEstimator.dueBefore(900, batch.queued(Priority.NORMAL), 1_000),
        "the batch's earliest job has the rest of it ahead");
    assertEquals(0, HintEstimator.dueBefore(950, batch.queued(Priority.NORMAL), 1_000),
        "a job made before the batch has none of it ahead");
  }

  @Test
  void aBatchMadeBeforeTheCountButAcceptedAfterItIsAheadOfTheJobsMadeAfterIt() {
    // 2,000 counted, due evenly over the 2 s before the count; a batch of 500 made 150 ms before it, not in it.
    List<Long> evenly = List.of(2_000L, 1_800L, 1_600L, 1_400L, 1_200L, 1_000L, 800L, 600L, 400L, 200L, 0L);
    TypeState batch = new TypeState(NONE, UNREPORTED, 100, 0,
        Map.of(Priority.NORMAL, new JobStore.Queued(2_000, 2_000, evenly)), IDLE, NOW)
        .plus(Map.of(Priority.NORMAL, 500L), NOW.minusMillis(150));
    List<Long> tenths = batch.queued(Priority.NORMAL).waitTenthsMs();
    for (int i = 1; i < tenths.size(); i++) {
      assertTrue(tenths.get(i) <= tenths.get(i - 1), "oldest first, never rising: " + tenths);
    }
    assertEquals(1, HintEstimator.dueBefore(150, batch.queued(Priority.NORMAL), 0), "one of the batch: all ahead");
    assertEquals(1, HintEstimator.dueBefore(50, batch.queued(Priority.NORMAL), 0), "one made after: all ahead");
    assertEquals(0.2, HintEstimator.dueBefore(1_500, batch.queued(Priority.NORMAL), 0), 0.01,
        "counted after the oldest quarter: those 500 of the 2,500 ahead, none of the batch");
  }

  @Test
  void theWaitsAtEachTenthOfItsQueueTellWhatIsAheadOfAQueuedJob() {
    JobStore.Queued backlog = BACKLOG_THEN_TEN;
    assertEquals(0.9 + 0.1 * (1_540 - 1_466 + 100) / 1_340.0, HintEstimator.dueBefore(1_466, backlog, 100), 1e-9,
        "one of the 10, waited 1,466 ms of which 100 since the count: behind nearly all the backlog");
    assertEquals(0.267, HintEstimator.dueBefore(1_466, 2_000), 1e-9, "where due evenly since the oldest says 27 %");
    assertEquals(0.45, HintEstimator.dueBefore(1_720, backlog, 0), 1e-9, "halfway between the 4th and 5th tenths");
    assertEquals(0, HintEstimator.dueBefore(2_000, backlog, 0), "older than the oldest counted");
    assertEquals(1, HintEstimator.dueBefore(150, backlog, 0), "younger than the youngest: all of it ahead");
    assertEquals(1, HintEstimator.dueBefore(50, backlog, 100), "due after the count: all of it ahead");
    JobStore.Queued together = new JobStore.Queued(500, 800, java.util.Collections.nCopies(11, 800L));
    assertEquals(0, HintEstimator.dueBefore(800, together, 0), "one of a burst due together: all behind it");
    assertEquals(HintEstimator.dueBefore(3_000, 4_100),
        HintEstimator.dueBefore(3_000, new JobStore.Queued(9, 4_000), 100),
        "waits not known: due evenly since the oldest, as counted a moment ago");
  }

  @Test
  void behindRunningJobsThatStartedTogetherAQueuedJobStartsWhenTheyEnd() {
    JobStore.Running burst = new JobStore.Running(64, 1_000, 1_000, 0);
    assertEquals(2_000, HintEstimator.slotWait(0, burst, 3_000, 0),
        "64 jobs of 3 s started 1 s ago free their slots in 2 s");
    assertEquals(2_000, HintEstimator.slotWait(63, burst, 3_000, 0), "all 64 at once");
    assertEquals(5_000, HintEstimator.slotWait(64, burst, 3_000, 0), "the 65th in line waits for a round more");
    assertEquals(1_500, HintEstimator.slotWait(0, burst, 3_000, 500), "counted half a second ago");
    assertEquals(1_000, HintEstimator.slotWait(0, new JobStore.Running(64, 4_000, 4_000, 0), 3_000, 0),
        "running 4 s, 1 s past their mean: these jobs run longer than recent ones did, say 1 s more");
    assertEquals(500, HintEstimator.slotWait(0, new JobStore.Running(2, 3_500, 2_000, 0), 3_000, 0),
        "the slot that frees first is the one whose job is nearest its end");
  }

  @Test
  void behindRunningJobsThatStartedInTurnABacklogDrainsAtTheSlotsOverTheMeanDuration() {
    JobStore.Running steady = new JobStore.Running(10, 1_000, 0, 0);
    assertEquals(1_000, HintEstimator.slotWait(9, steady, 1_000, 0), "the 10th in line: when the one just begun ends");
    assertEquals(0, HintEstimator.slotWait(0, steady, 1_000, 0), "the first: when the one begun 1 s ago ends");
    assertEquals(444, HintEstimator.slotWait(4, steady, 1_000, 0), "the 5th: when the 5th longest-running ends");
    assertEquals(100 * 1_000 / 10, HintEstimator.slotWait(99, steady, 1_000, 0), 100, "100 ahead at 10 a second");
    assertEquals(300, HintEstimator.slotWait(0, new JobStore.Running(1, 700, 700, 0), 1_000, 0), "one slot");
    assertEquals(1_300, HintEstimator.slotWait(1, new JobStore.Running(1, 700, 700, 0), 1_000, 0), "and a round more");
  }

  @Test
  void aQueuedJobBehindABurstIsFirstReadWhenItCanHaveRun() {
    DurationHistory threeSeconds = finished(NONE, 64, 3_000);
    TypeState waiting = new TypeState(threeSeconds, UNREPORTED, 0, 0, Map.of(Priority.NORMAL, new JobStore.Queued(136, 3_200)),
        new JobStore.Running(64, 200, 150, 0), NOW);
    Instant due = NOW.minusMillis(3_200);
    Job ofTheBurst = new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 0, 3,
        null, null, null, due, null, due, null, null, null, false, 1, null);
    long look = HintEstimator.START_MS + Math.round(bucketEnd(3_000) * HintEstimator.PROBE_SHARE)
        + HintEstimator.VISIBLE_MS;
    long wait = threeSeconds.median() - 200;
    assertEquals(wait + look, hint(ofTheBurst, waiting), 20,
        "due with the 136 others: taken as first in line, it starts when the running ones end (about 2.8 s)");
    assertEquals(wait + 2 * threeSeconds.median() + look, hint(queued(Priority.NORMAL), waiting), 100,
        "due after all 136: two rounds more");
    TypeState flowing = new TypeState(threeSeconds, UNREPORTED, 0, 0, Map.of(Priority.NORMAL, new JobStore.Queued(136, 100)),
        new JobStore.Running(64, 200, 150, 0), NOW);
    assertEquals(look, hint(queued(Priority.NORMAL), flowing),
        "a queue waiting only a moment is starting, not waiting");
  }

  @Test
  void aLongWaitOnAPaceMeasuredOnlyAsAFirstBacklogBeganIsLookedAtHalfway() {
    Map<Priority, JobStore.Queued> backlog = Map.of(Priority.NORMAL, new JobStore.Queued(2_000, 600));
    TypeState firstMoments = new TypeState(mixed(), UNREPORTED, 0, 356, 356, backlog, IDLE, NOW, -1, null, false);
    assertTrue(HintEstimator.paceUnsure(firstMoments));
    assertTrue(HintEstimator.paceUnsure(firstMoments.plus(Map.of(Priority.NORMAL, 5L), NOW)), "jobs accepted since");
    long wait = Math.round(2_000 * 1000 / 356.0) + MARGIN;
    assertEquals(wait / 2, hint(queued(Priority.NORMAL), firstMoments),
        "2,000 ahead at 356 a second, measured as the workers began: looked at halfway, then reckoned again");
    TypeState learnt = new TypeState(mixed(), UNREPORTED, 0, 356, 356, backlog, IDLE, NOW, -1, null, true);
    assertFalse(HintEstimator.paceUnsure(learnt));
    assertTrue(hint(queued(Priority.NORMAL), learnt) > wait, "a capacity learnt: read once the wait is over");
    assertFalse(HintEstimator.paceUnsure(new TypeState(mixed(), UNREPORTED, 0, 356, 356, backlog,
        new JobStore.Running(64, 40, 10, 50), NOW, -1, null, false)), "the running jobs' progress says their length");
    assertFalse(HintEstimator.paceUnsure(new TypeState(mixed(), UNREPORTED, 40, 0, 0, backlog, IDLE, NOW, -1, null,
        false)), "no capacity measured: the wait rests on the drain rate, and halving it would never stop");
    TypeState fewAhead = new TypeState(mixed(), UNREPORTED, 0, 356, 356, Map.of(Priority.NORMAL,
        new JobStore.Queued(200, 600)), IDLE, NOW, -1, null, false);
    assertTrue(hint(queued(Priority.NORMAL), fewAhead) > Math.round(200 * 1000 / 356.0),
        "a wait shorter than a measure takes: read once it is over");
  }

  @Test
  void behindABurstUnlikeTheRecentEndsAQueuedJobGoesByTheLengthTheRunningJobsProgressPointsAt() {
    DurationHistory backlog = finished(NONE, 2_000, 50);
    JobStore.Running burst = new JobStore.Running(64, 1_000, 900, 3_000);
    TypeState waiting = new TypeState(backlog, UNREPORTED, 0, 0, Map.of(Priority.NORMAL, new JobStore.Queued(136, 1_000)), burst,
        NOW);
    long look = HintEstimator.START_MS + 3_000 + HintEstimator.FINISH_MS + HintEstimator.VISIBLE_MS;
    assertEquals(2_000 + look, hint(queuedSince(1_000), waiting), 1,
        "after 2,000 jobs of 50 ms, 64 of 3 s fill the slots: it starts when they end, in 2 s, not in 50 ms, and most"
            + " likely ends 3 s later, as they will");
    TypeState notCountedYet = new TypeState(backlog, UNREPORTED, 0, 0, Map.of(), new JobStore.Running(64, 250, 200, 0), NOW);
    assertEquals(200 - backlog.median() + HintEstimator.START_MS + backlog.median() + HintEstimator.VISIBLE_MS,
        hint(queuedSince(250), notCountedYet), 1, "no count shows the burst yet, but the job itself has waited 250 ms"
            + " while 64 run longer than any recent one: a slot frees once the newest has overrun the recent length"
            + " as much again");
    assertEquals(HintEstimator.START_MS + backlog.median() + HintEstimator.VISIBLE_MS,
        hint(queuedSince(100), notCountedYet), 1, "waiting only a moment: starting");
    TypeState countedBefore = new TypeState(backlog, UNREPORTED, 0, 1_100, Map.of(Priority.NORMAL, new JobStore.Queued(2_000, 0)),
        new JobStore.Running(3, 21_000, 20_500, 20_000), NOW.minusMillis(1_500));
    assertTrue(hint(queuedSince(1_450), countedBefore) < 2_000, "three jobs of 20 s counted running before it came"
        + " are not the slots it waits for: 2,000 ahead drain at 1,100 a second, not three at a time every 20 s");
    TypeState flowing = new TypeState(backlog, UNREPORTED, 0, 0, Map.of(Priority.NORMAL, new JobStore.Queued(1, 10)), burst, NOW);
    assertTrue(hint(queued(Priority.NORMAL), flowing) < 200,
        "in a flowing queue the running jobs are mostly its long ones and say little of the next");
    DurationHistory twoAndFour = finished(finished(NONE, 32, 2_000), 32, 4_000);
    Map<Priority, JobStore.Queued> queue = Map.of(Priority.NORMAL, new JobStore.Queued(136, 1_000));
    long byHistory = hint(queuedSince(1_000), new TypeState(twoAndFour, UNREPORTED, 0, 0, queue,
        new JobStore.Running(64, 1_000, 900, 0), NOW));
    long byRunning = hint(queuedSince(1_000), new TypeState(twoAndFour, UNREPORTED, 0, 0, queue, burst, NOW));
    assertEquals(3_000 - twoAndFour.median(), byRunning - byHistory, 1,
        "a length among the recent ends: those still say where to look once it starts, and the running jobs' length"
            + " only when their slots free");
  }

  @Test
  void behindRunningJobsOfItsOwnBurstThatAgreeOnALengthAQueuedJobGoesByThatLength() {
    // Recent ends of every kind: 3 s lies between their 10th and 90th percentiles, so it is not unlike them.
    DurationHistory spread = finished(finished(finished(finished(NONE, 100, 50), 20, 500), 20, 5_000), 20, 60_000);
    assertFalse(HintEstimator.unlikeRecent(3_000, spread), "3 s is among the recent ends");
    Map<Priority, JobStore.Queued> queue = Map.of(Priority.NORMAL, new JobStore.Queued(136, 1_000));
    // 64 of a burst run, due 1.0 to 1.2 s ago, their progress pointing at 2.9 to 3.1 s.
    JobStore.Running ofTheBurst = burst(64, 2_900, 3_100, 1_200, 1_000);
    long wait = 2_000; // none ahead of it: it starts when the first of them ends, 3 s after it began 1 s ago
    assertEquals(wait + byHistoryLook(spread), hint(queuedSince(1_000), new TypeState(spread, UNREPORTED, 0, 0, queue,
        new JobStore.Running(64, 1_000, 900, 3_000), NOW)), "nothing known of their first attempts: the recent ends");
    long look = HintEstimator.START_MS + 3_000 + HintEstimator.FINISH_MS + HintEstimator.VISIBLE_MS;
    assertEquals(wait + look, hint(queuedSince(1_000), new TypeState(spread, UNREPORTED, 0, 0, queue, ofTheBurst, NOW)),
        "due with them: read 3 s after its start, as they end, not just after it as most recent jobs ended");
    assertEquals(wait + look, hint(queuedSince(1_900), new TypeState(spread, UNREPORTED, 0, 0, queue, ofTheBurst, NOW)),
        "due up to a second before the earliest of them");
    long byHistory = wait + byHistoryLook(spread);
    assertEquals(byHistory, hint(queuedSince(3_000), new TypeState(spread, UNREPORTED, 0, 0,
        Map.of(Priority.NORMAL, new JobStore.Queued(136, 3_000)), ofTheBurst, NOW)),
        "due 1.8 s before them: not of their burst, the recent ends say where to look");
    Map<String, JobStore.Running> others = Map.of(
        "they disagree (0.5 to 60 s)", burst(64, 500, 60_000, 1_200, 1_000),
        "at the edge: the 10th percentile half the 90th", burst(64, 2_000, 4_000, 1_200, 1_000),
        "four reported: too few to say", burst(4, 2_900, 3_100, 1_200, 1_000),
        "they were due over 1.5 s: not one burst", burst(64, 2_900, 3_100, 2_500, 1_000));
    others.forEach((why, running) -> assertEquals(byHistory, hint(queuedSince(1_000), new TypeState(spread,
        UNREPORTED, 0, 0, queue, running, NOW)), why));
    Job again = new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 1, 3,
        null, null, null, NOW.minusMillis(1_000), null, NOW.minusMillis(1_000), null, null, null, false, 1, null);
    assertEquals(byHistory, hint(again, new TypeState(spread, UNREPORTED, 0, 0, queue, ofTheBurst, NOW)),
        "queued again after an attempt: not as it came with them");
    assertEquals(wait + look + 50, hint(queuedSince(1_000), new TypeState(spread, UNREPORTED, 0, 0, queue,
        burst(64, 2_100, 4_000, 1_200, 1_000), NOW)), "just inside the edge: their median, 3.05 s");

    // A count 2 s old of jobs due 4.7 to 4.5 s before it (6.7 to 6.5 s ago): a job due 6.5 s ago came with them; one
    // due 1 s ago came 5.5 s after them.
    TypeState countedBefore = new TypeState(spread, UNREPORTED, 0, 0, Map.of(Priority.NORMAL,
        new JobStore.Queued(136, 4_700)), burst(64, 2_900, 3_100, 4_700, 4_500), NOW.minusMillis(2_000));
    TypeState countedBeforeUnknown = new TypeState(spread, UNREPORTED, 0, 0, countedBefore.queued(),
        new JobStore.Running(64, 1_000, 900, 3_000), NOW.minusMillis(2_000));
    assertEquals(hint(queuedSince(1_000), countedBeforeUnknown), hint(queuedSince(1_000), countedBefore),
        "due 5.5 s after them: another burst");
    assertEquals(hint(queuedSince(6_500), countedBeforeUnknown) - byHistoryLook(spread) + look,
        hint(queuedSince(6_500), countedBefore), "due with them, 4.5 s before a count 2 s old");
    assertFalse(HintEstimator.ofTheirBurst(1_000, new JobStore.Running(64, 1_000, 900, 3_000)),
        "nothing known of their first attempts");

    Job silent = running(200, null, 0); // due just now, with the burst's last (as counted now)
    TypeState burstRuns = new TypeState(spread, UNREPORTED, 0, 0, Map.of(), ofTheBurst, NOW);
    assertEquals(3_000 + HintEstimator.FINISH_MS - 200 + HintEstimator.VISIBLE_MS, hint(silent, burstRuns),
        "running 200 ms, not reported yet: read as they end");
    TypeState nothingRuns = new TypeState(spread, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    TypeState laterBurst = new TypeState(spread, UNREPORTED, 0, 0, Map.of(), burst(64, 2_900, 3_100, 4_700, 4_500),
        NOW.minusMillis(2_000));
    assertEquals(hint(silent, nothingRuns), hint(silent, laterBurst), "due 6.5 s after them: not of their burst");
    Job silentOfIt = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 1,
        3, null, null, null, NOW.minusMillis(6_500), NOW.minusMillis(200), NOW.minusMillis(200), null, null, null,
        false, 1, null);
    assertEquals(3_000 + HintEstimator.FINISH_MS - 200 + HintEstimator.VISIBLE_MS, hint(silentOfIt, laterBurst),
        "due 6.5 s ago, with them (4.5 s before that count)");
    assertEquals(hint(running(3_500, null, 0), nothingRuns), hint(running(3_500, null, 0), burstRuns),
        "past their length: as if nothing ran");
    Job reported = running(1_000, new Progress(50, null), 1_000);
    assertEquals(hint(reported, nothingRuns), hint(reported, burstRuns), "its own progress says more");
    Job retried = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 2, 3,
        null, null, null, NOW, NOW.minusMillis(200), NOW.minusMillis(200), null, null, null, false, 1, null);
    assertEquals(hint(retried, nothingRuns), hint(retried, burstRuns), "a second attempt: not as it came with them");
    Job limited = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 1, 3,
        1_000L, null, null, NOW, NOW.minusMillis(200), NOW.minusMillis(200), null, null, null, false, 1, null);
    assertEquals(1_000 + HintEstimator.FINISH_MS - 200 + HintEstimator.VISIBLE_MS, hint(limited, burstRuns),
        "an attempt limited to 1 s ends by then");
  }

  /**
   * 64 jobs running about 1 s whose progress points at 3 s (their median), {@code reported} of them first attempts
   * whose lengths and due times are as given.
   */
  private static JobStore.Running burst(long reported, long shortMs, long longMs, long earliestDueMs,
      long latestDueMs) {
    return new JobStore.Running(64, 1_000, 900, 3_000,
        new JobStore.FirstAttempts(reported, shortMs, (shortMs + longMs) / 2, longMs, earliestDueMs, latestDueMs));
  }

  /** A queued job's first look at it running, by the type's recent ends alone. */
  private static long byHistoryLook(DurationHistory durations) {
    return HintEstimator.START_MS + HintEstimator.probe(durations, durations.cheapestRead(0, HintEstimator.borne(1),
        HintEstimator.READ_COST), false) + HintEstimator.VISIBLE_MS;
  }

  @Test
  void jobsThatFillTheSlotsTakeWhatTheirProgressSaysElseWhatTheLastBacklogsThroughputSaysElseTheRecentMedian() {
    DurationHistory threeSeconds = finished(NONE, 100, 3_000);
    JobStore.Running young = new JobStore.Running(64, 200, 100, 0);
    assertEquals(threeSeconds.median(), HintEstimator.typicalMs(new TypeState(threeSeconds, UNREPORTED, 0, 0, Map.of(), young,
        NOW)), "nothing else known");
    DurationHistory backlogThenBurst = finished(finished(NONE, 100, 50), 100, 3_000);
    assertEquals(64 * 1000 / 1_100.0, HintEstimator.typicalMs(new TypeState(backlogThenBurst, UNREPORTED, 0, 1_100, Map.of(),
        young, NOW)), 1e-9, "64 slots gave 1,100 jobs a second");
    assertEquals(backlogThenBurst.longest(), HintEstimator.typicalMs(new TypeState(backlogThenBurst, UNREPORTED, 0, 10, Map.of(),
        young, NOW)), "a throughput learnt on fewer slots: no longer than nine in ten recent jobs");
    assertEquals(HintEstimator.typicalMs(new TypeState(backlogThenBurst, UNREPORTED, 0, 1_000_000, Map.of(), young, NOW)),
        HintEstimator.typicalMs(new TypeState(backlogThenBurst, UNREPORTED, 0, 1_000_000_000, Map.of(), young, NOW)),
        "nor shorter than nine in ten");
    assertEquals(80, HintEstimator.typicalMs(new TypeState(threeSeconds, UNREPORTED, 0, 1_100, Map.of(), new JobStore.Running(64,
        200, 100, 80), NOW)), "reported");
    Map<Priority, JobStore.Queued> backlog = Map.of(Priority.NORMAL, new JobStore.Queued(2_000, 300));
    long wait = hint(queuedSince(50), new TypeState(backlogThenBurst, UNREPORTED, 0, 1_100, backlog, young, NOW));
    assertTrue(wait > 1_200 && wait < 2_200, "behind 1,667 of 2,000 jobs of 50 ms after jobs of 3 s, none reported"
        + " yet: they drain as the last backlog did, in about 1.5 s, not in 26 rounds of 3 s: " + wait);

    FirstReports early = reportedAt(20, 10);
    JobStore.Running silent = new JobStore.Running(64, 200, 160, 0);
    assertEquals(Math.round((160 - HintEstimator.VISIBLE_MS) / 0.1), HintEstimator.typicalMs(new TypeState(
        backlogThenBurst, early, 0, 1_100, Map.of(), silent, NOW)), 1e-9, "its jobs report a tenth in, and the"
        + " youngest running is silent at 160 ms: they run 1.45 s at least, not the 58 ms the throughput says");
    assertEquals(64 * 1000 / 1_100.0, HintEstimator.typicalMs(new TypeState(backlogThenBurst, early, 0, 1_100,
        Map.of(), new JobStore.Running(64, 200, 90, 0), NOW)), 1e-9, "silent for less than a report takes to be seen");
    assertEquals(64 * 1000 / 1_100.0, HintEstimator.typicalMs(new TypeState(backlogThenBurst, reportedAt(20, 60), 0,
        1_100, Map.of(), silent, NOW)), 1e-9, "jobs that report late say nothing by their silence");
    assertEquals(threeSeconds.median(), HintEstimator.typicalMs(new TypeState(threeSeconds, early, 0, 0, Map.of(),
        silent, NOW)), 1e-9, "nor does a silence shorter than the recent length");
  }

  @Test
  void whileABacklogWaitsItsSlotsTakeWhatTheyTookEachToTurnOverUnlessProgressPointsFarLonger() {
    DurationHistory fifty = finished(NONE, 100, 120);
    JobStore.Running handlers = new JobStore.Running(64, 85, 19, 70);
    TypeState measured = new TypeState(fifty, UNREPORTED, 0, 400, 500, Map.of(), handlers, NOW);
    assertEquals(128, HintEstimator.typicalMs(measured), 1e-9,
        "64 slots gave 500 jobs a second: 128 ms each with the claim and the end's write, not the handlers' 70");
    assertEquals(70, HintEstimator.typicalMs(new TypeState(fifty, UNREPORTED, 0, 400, Map.of(), handlers, NOW)), 1e-9,
        "no backlog measured now: what the progress says");
    assertEquals(128, HintEstimator.typicalMs(new TypeState(fifty, UNREPORTED, 0, 400, 500, Map.of(),
        new JobStore.Running(64, 85, 19, 250), NOW)), 1e-9, "progress within twice the turnover: the turnover");
    JobStore.Running longer = new JobStore.Running(64, 900, 800, 3_000);
    assertEquals(3_000, HintEstimator.typicalMs(new TypeState(fifty, UNREPORTED, 0, 400, 500, Map.of(), longer, NOW)),
        1e-9, "jobs of 3 s hold the slots now, behind a backlog of short ones");
    JobStore.Running silent = new JobStore.Running(64, 200, 160, 0);
    assertEquals(128, HintEstimator.typicalMs(new TypeState(fifty, UNREPORTED, 0, 400, 500, Map.of(), silent, NOW)),
        1e-9, "none reported: the turnover too");
    assertEquals(Math.round((160 - HintEstimator.VISIBLE_MS) / 0.1), HintEstimator.typicalMs(new TypeState(fifty,
        reportedAt(20, 10), 0, 400, 500, Map.of(), silent, NOW)), 1e-9, "unless their silence says they run longer");

    Map<Priority, JobStore.Queued> backlog = Map.of(Priority.NORMAL, new JobStore.Queued(1_175, 2_000));
    long wait = hint(queuedSince(0), new TypeState(fifty, UNREPORTED, 0, 400, 500, backlog, handlers, NOW));
    assertTrue(wait > 2_000 && wait < 2_700, "behind 1,175 jobs draining at 500 a second: about 2.35 s, not the"
        + " 1.3 s that 64 slots of 70 ms say: " + wait);
  }

  @Test
  void runningJobsAreUnlikeTheRecentOnesWhenTheirLengthLiesOutsideTheBulkOfTheRecentEnds() {
    DurationHistory spread = finished(finished(NONE, 50, 100), 50, 10_000);
    assertFalse(HintEstimator.unlikeRecent(0, spread), "no progress reported");
    assertFalse(HintEstimator.unlikeRecent(5_000, spread), "between the two clusters");
    assertTrue(HintEstimator.unlikeRecent(30_000, spread), "longer than nine in ten");
    assertTrue(HintEstimator.unlikeRecent(20, spread), "shorter than nine in ten");
    assertTrue(HintEstimator.unlikeRecent(20, NONE), "nothing recent known");
  }

  @Test
  void theProgressRateIsMeasuredFromWhenTheAttemptsHandlerBegan() {
    Instant claimed = NOW.minusMillis(700);
    Instant began = NOW.minusMillis(300);
    Job late = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(),
        new Progress(10, null), 2, 3, null, null, null, NOW.minusSeconds(60), NOW.minusSeconds(30), NOW, null, null,
        null, false, 5, null, null, null, claimed, began);
    assertEquals(400 + 3_000, HintEstimator.progressEnd(late, NOW), "10 % in the 300 ms since its handler began, not"
        + " in the 700 ms since the claim nor the 30 s since the first attempt; then counted from the claim");
    assertEquals(3_400 - 700 + Math.round(3_400 * HintEstimator.AIM_PAST_END) + HintEstimator.FINISH_MS
        + HintEstimator.VISIBLE_MS, hint(late, new TypeState(NONE, UNREPORTED, 0, 0, Map.of(), IDLE, NOW)));
    Job untold = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(),
        new Progress(10, null), 2, 3, null, null, null, NOW.minusSeconds(60), NOW.minusSeconds(30), NOW, null, null,
        null, false, 5, null, null, null, claimed, null);
    assertEquals(7_000, HintEstimator.progressEnd(untold, NOW), "with no handler start told, from the claim");
  }

  @Test
  void aFirstLookComesAShareOfTheWayToALongRecentEndAndAtAShortOne() {
    DurationHistory threeSeconds = finished(NONE, 30, 3_000);
    assertEquals(450, HintEstimator.probe(threeSeconds, 3_000, false), "recent jobs all of 3 s: 15 % of the way");
    DurationHistory halfSecond = finished(NONE, 30, HintEstimator.PROBE_FROM_MS);
    assertEquals(75, HintEstimator.probe(halfSecond, HintEstimator.PROBE_FROM_MS, false));
    assertEquals(HintEstimator.PROBE_FROM_MS - 1,
        HintEstimator.probe(halfSecond, HintEstimator.PROBE_FROM_MS - 1, true),
        "a short job is read once it may have ended");
    DurationHistory shortOnes = finished(threeSeconds, 10, 400);
    assertEquals(450, HintEstimator.probe(shortOnes, 3_000, true),
        "a quarter of recent jobs ended within 0.4 s: the early look finds them ended, and a job of 2 s reported");
    assertEquals(3_000, HintEstimator.probe(shortOnes, 3_000, false),
        "the same, of a type whose jobs do not report early: the look would show nothing the cheapest read missed");
    DurationHistory between = finished(threeSeconds, 10, 1_000);
    assertEquals(3_000, HintEstimator.probe(between, 3_000, true),
        "a quarter ended at 1 s, between the early look and half the way: the cheapest read has weighed them");
    assertEquals(450, HintEstimator.probe(finished(shortOnes, 3, 1_000), 3_000, true), "7 % of them: a look");
    assertEquals(3_000, HintEstimator.probe(finished(shortOnes, 5, 1_000), 3_000, true), "11 %: none");
    DurationHistory close = finished(finished(NONE, 30, 2_000), 30, 3_000);
    assertEquals(450, HintEstimator.probe(close, 3_000, false), "ends between 2 s and 3 s are close together");
  }

  @Test
  void aJobQueuedAgainAfterAnAttemptIsDueFromWhenItWasGivenBack() {
    TypeState cold = new TypeState(NONE, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    Job requeued = new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 1, 3,
        null, null, null, NOW.minusSeconds(60), NOW.minusSeconds(59), NOW.minusSeconds(2), null, null, null, false, 4,
        null);
    assertEquals(1_000, hint(requeued, cold), "given back 2 s ago, not due since its submit a minute ago: half of 2 s");
  }

  @Test
  void aSlowClusterOfNoMoreThanHalfTheJobsIsNotWaitedFor() {
    DurationHistory coldAndWarm = finished(finished(NONE, 20, 360), 21, 240);
    long read = coldAndWarm.cheapestRead(0, 50, HintEstimator.READ_COST);
    assertTrue(read >= 240 && read <= 240 + 50, "most ended by 240 ms: read within the 50 ms they bear, not after the"
        + " slow ones at 360 ms: " + read);
    DurationHistory mostlySlow = finished(finished(NONE, 30, 360), 10, 240);
    assertEquals(bucketEnd(360), mostlySlow.cheapestRead(0, 50, HintEstimator.READ_COST),
        "most took 360 ms: read once they have ended");
  }

  @Test
  void theTypicalDurationIsTheMedianUnmovedByAFewLongJobs() {
    assertEquals(bucketEnd(3_000), finished(NONE, 10, 3_000).median());
    assertEquals(bucketEnd(50), finished(finished(NONE, 2_000, 50), 10, 20_000).median(),
        "a backlog of short jobs after a few long ones: the short ones' length");
    assertEquals(-1, NONE.median());
  }

  /** The end of the bucket that holds {@code ms}: where the hints aim for a job of that length. */
  private static long bucketEnd(long ms) {
    for (long bound : BOUNDS) {
      if (bound >= ms) {
        return bound;
      }
    }
    throw new IllegalArgumentException("past the last bucket: " + ms);
  }

  @Test
  void aQueuedJobsFirstLookIsJustPastTheEndOfTheTypesShorterRecentJobs() {
    TypeState longJobs = new TypeState(finished(NONE, 50, 20_000), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(HintEstimator.START_MS + Math.round(bucketEnd(20_000) * HintEstimator.PROBE_SHARE)
        + HintEstimator.VISIBLE_MS, hint(queued(Priority.NORMAL), longJobs),
        "jobs of 20 s: a share of the way, where this one's own progress tells how long it is");
    assertEquals(bucketEnd(20_000) + HintEstimator.VISIBLE_MS - 4_000,
        hint(running(4_000, null, 0), longJobs), "and then, if it tells nothing, at the end its type's jobs took");
    assertTrue(bucketEnd(20_000) - 20_000 <= 100, "buckets 0.5 % wide: " + bucketEnd(20_000));
    TypeState mixed = new TypeState(mixed(), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(HintEstimator.START_MS + bucketEnd(200) + HintEstimator.VISIBLE_MS, hint(queued(Priority.NORMAL),
        mixed), "a type whose jobs may be short looks when the short ones end");
  }

  @Test
  void aJobAcceptedAMomentAgoHasBeenStartingMeanwhile() {
    TypeState shortJobs = new TypeState(finished(NONE, 20, 200), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    Job justAccepted = new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null,
        0, 3, null, null, null, NOW.minusMillis(60), null, NOW.minusMillis(60), null, null, null, false, 1, null);
    assertEquals(HintEstimator.START_MS + 200 + HintEstimator.VISIBLE_MS - 60, hint(justAccepted, shortJobs),
        "the 60 ms the 202 took are 60 ms of the job's start and run gone by");
    Job waiting = new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null,
        0, 3, null, null, null, NOW.minusMillis(1_500), null, NOW.minusMillis(1_500), null, null, null, false, 1, null);
    assertEquals(HintEstimator.START_MS + 200 + HintEstimator.VISIBLE_MS, hint(waiting, shortJobs),
        "due 1.5 s ago, it waits for something else: a look one job's length from now");
  }

  @Test
  void endsSpreadLessThanTheDelayAClientBearsAreReadOnceAfterAllOfThem() {
    DurationHistory spread = NONE;
    for (long ms = 300; ms <= 340; ms += 5) {
      spread = finished(spread, 2, ms);
    }
    TypeState type = new TypeState(spread, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(HintEstimator.START_MS + bucketEnd(340) + HintEstimator.VISIBLE_MS,
        HintEstimator.hint(queued(Priority.NORMAL), NOW, type, 0, 0, 100, 60_000),
        "reads at least 100 ms apart: one after all of them, each seen at most 40 ms late");
    DurationHistory wider = NONE;
    for (long ms = 300; ms <= 1_500; ms += 50) {
      wider = finished(wider, 2, ms);
    }
    long first = HintEstimator.hint(queued(Priority.NORMAL), NOW, new TypeState(wider, UNREPORTED, 0, 0, Map.of(), IDLE, NOW), 0,
        0, 100, 60_000);
    assertTrue(first > 300 && first < 1_000, "ends spread over 1.2 s, far more than the delay borne: read inside "
        + "the spread: " + first);
    TypeState mixed = new TypeState(mixed(), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(HintEstimator.START_MS + 200 + HintEstimator.VISIBLE_MS,
        HintEstimator.hint(queued(Priority.NORMAL), NOW, mixed, 0, 0, 100, 60_000),
        "ends far apart: the first look stays with the short jobs");
    long in = bucketEnd(305);
    assertEquals(bucketEnd(340) - in + HintEstimator.VISIBLE_MS, HintEstimator.running(running(in, null, 0), NOW,
        new TypeState(spread, UNREPORTED, 0, 0, Map.of(), IDLE, NOW), 100).ms(),
        "running, 305 ms in: after the rest of them (before the 100 ms clamp)");
  }

  @Test
  void clustersOfEndsAreReadAtTheirEndNotAtAMedianBetweenThem() {
    DurationHistory clusters = finished(finished(finished(NONE, 6, 1_000), 6, 3_000), 8, 7_000);
    TypeState type = new TypeState(clusters, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(bucketEnd(3_000) - 1_200 + HintEstimator.VISIBLE_MS, hint(running(1_200, null, 0), type),
        "past the 1 s jobs: the 3 s ones end next, though most of the rest ran 7 s");
    DurationHistory outlier = finished(finished(NONE, 50, 20_000), 1, 300);
    assertEquals(bucketEnd(20_000) - 250 + HintEstimator.VISIBLE_MS,
        hint(running(250, null, 0), new TypeState(outlier, UNREPORTED, 0, 0, Map.of(), IDLE, NOW)),
        "one short job among fifty of 20 s is not worth a read for all of them");
    DurationHistory wide = NONE;
    for (long ms = 1_000; ms <= 10_000; ms += 100) {
      wide = finished(wide, 1, ms);
    }
    long step = hint(running(5_000, null, 0), new TypeState(wide, UNREPORTED, 0, 0, Map.of(), IDLE, NOW));
    assertTrue(step >= 300 && step <= 2_500, "ends spread evenly over 9 s are read every few times the delay borne (0.5 "
        + "to 1 s): " + step);
  }

  @Test
  void aRunningJobIsReadJustPastTheEndOfRecentJobsThatRanLonger() {
    TypeState steady = new TypeState(finished(NONE, 20, 20_000), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(bucketEnd(20_000) - 5_000 + HintEstimator.VISIBLE_MS, hint(running(5_000, null, 0), steady));
    TypeState mixed = new TypeState(mixed(), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(bucketEnd(2_000) - 300 + HintEstimator.VISIBLE_MS, hint(running(300, null, 0), mixed),
        "past the 0.2 s jobs, the 2 s ones end next");
    assertEquals(bucketEnd(20_000) - 3_000 + HintEstimator.VISIBLE_MS, hint(running(3_000, null, 0), mixed),
        "past the 2 s jobs, only the 20 s ones are left");
  }

  @Test
  void progressPicksTheRecentJobsAlikeAndAloneAimsJustPastItsEnd() {
    TypeState mixed = new TypeState(mixed(), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(bucketEnd(20_000) - 300 + HintEstimator.VISIBLE_MS,
        hint(running(300, new Progress(1, null), 210), mixed),
        "1 % after 0.21 s points at about 21 s: the 20 s jobs, not the 2 s ones half the history would say");
    assertEquals(bucketEnd(2_000) - 300 + HintEstimator.VISIBLE_MS,
        hint(running(300, new Progress(10, null), 198), mixed),
        "10 % after 0.198 s points at 1.98 s: the 2 s jobs, which take a moment more");
    DurationHistory wide = NONE;
    for (long ms = 1_500; ms <= 2_500; ms += 10) {
      wide = finished(wide, 1, ms);
    }
    assertEquals(bucketEnd(2_060) - 300 + HintEstimator.VISIBLE_MS,
        hint(running(300, new Progress(10, null), 200), new TypeState(wide, UNREPORTED, 0, 0, Map.of(), IDLE, NOW)),
        "ends spread from 1.5 to 2.5 s: only those within 5 % of the 2 s progress points at are alike, and the read "
            + "comes where 80 % of them had ended");
    assertEquals(bucketEnd(20_000) - 1_500 + HintEstimator.VISIBLE_MS,
        hint(running(1_500, new Progress(1, null), 10), mixed),
        "1 % in its first 10 ms says little: past the 1 s it pointed at, the job is read when the longest ended");
    assertTrue(hint(running(2_050, new Progress(100, null), 2_000), mixed) <= 100,
        "done by its progress but not yet seen ended: read again soon, not when the 20 s jobs ended");
    TypeState cold = new TypeState(NONE, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(20_000 + 40 + HintEstimator.FINISH_MS - 2_100 + HintEstimator.VISIBLE_MS,
        hint(running(2_100, new Progress(10, null), 2_000), cold),
        "10 % after 2 s, nothing alike: 20 s in all, 0.2 % past the end, and the end's write");
  }

  @Test
  void pastEveryEndKnownTheStepStartsSmallAndDoublesWithHowLateTheJobIs() {
    TypeState steady = new TypeState(finished(NONE, 20, 20_000), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    long end = bucketEnd(20_000);
    long justLate = hint(running(end + 50, null, 0), steady);
    assertEquals(Math.round((end + 50) * HintEstimator.OVERDUE_SHARE) + 50, justLate,
        "a moment late: read again soon, not after half its age");
    long next = hint(running(end + 50 + justLate, null, 0), steady);
    assertTrue(next >= 2 * justLate, "the step grows with the delay: " + justLate + " then " + next);
    assertEquals(50_000, hint(running(100_000, null, 0), steady), "far past: never more than half its age");
    TypeState cold = new TypeState(NONE, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(250 + 5_000, hint(running(25_000, new Progress(90, null), 18_000), cold),
        "past the progress rate's 20 s: 1 % of its age plus the 5 s it is late");
  }

  @Test
  void aJobLongerThanMostIsNotReadInATightLoop() {
    DurationHistory oneLong = finished(finished(NONE, 100, 200), 1, 20_000);
    TypeState type = new TypeState(oneLong, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertEquals(bucketEnd(20_000) - 300 + HintEstimator.VISIBLE_MS, hint(running(300, null, 0), type),
        "past the 200 ms jobs, one recent job ran 20 s: look when it ended, not every few milliseconds");
    DurationHistory faded = finished(finished(NONE, 1, 600_000).decayAndAdd(1e-6, new long[0]), 100, 200);
    TypeState fadedType = new TypeState(faded, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    long late = hint(running(1_000, null, 0), fadedType);
    assertEquals(500, late, "a 10-minute job long faded says nothing: 0.8 s past every end known, half its age");
  }

  @Test
  void aJobQueuedForLongWithNothingKnownAheadIsLookedAtLessAndLessOften() {
    TypeState shortJobs = new TypeState(finished(NONE, 20, 200), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    Job stuck = new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null,
        0, 3, null, null, null, NOW.minusSeconds(600), null, NOW.minusSeconds(600), null, null, null, false, 1, null);
    assertEquals(60_000, hint(stuck, shortJobs), "queued 10 minutes, no worker taking it: a look a minute later");
  }

  @Test
  void theRecentPastCountsMost() {
    DurationHistory old = finished(NONE, 100, 20_000);
    DurationHistory aged = finished(old.decayAndAdd(0.01, new long[0]), 20, 200);
    TypeState type = new TypeState(aged, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    assertTrue(hint(queued(Priority.NORMAL), type) <= 250, "20 recent short jobs outweigh 100 old long ones");
    assertTrue(aged.total() < 22, "decayed: " + aged.total());
  }

  @Test
  void loadStretchesHintsJitterSpreadsThemAndTheClampsHold() {
    TypeState cold = new TypeState(NONE, UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    Job job = running(8_000, null, 0);
    assertEquals(4_000, HintEstimator.hint(job, NOW, cold, 0.8, 0, 1, 60_000), "under 80 % of the CPU: as is");
    assertEquals(8_000, HintEstimator.hint(job, NOW, cold, 0.9, 0, 1, 60_000));
    assertEquals(12_000, HintEstimator.hint(job, NOW, cold, 1.0, 0, 1, 60_000), "saturated: three times");
    assertEquals(4_000, HintEstimator.hint(job, NOW, cold, 0, 0, 1, 60_000), "jitter never shortens a hint");
    assertEquals(4_000 + HintEstimator.MAX_JITTER_MS, HintEstimator.hint(job, NOW, cold, 0, 0.99999, 1, 60_000),
        "a long hint is lengthened by at most 40 ms");
    Job young = running(300, null, 0);
    assertEquals(200 + 10, HintEstimator.hint(young, NOW, cold, 0, 0.99999, 1, 60_000), "a short one by up to 5 %");
    assertEquals(5_000, HintEstimator.hint(job, NOW, cold, 0, 0, 5_000, 60_000), "CONVEYOR_POLL_MIN_MS");
    assertEquals(3_000, HintEstimator.hint(job, NOW, cold, 1.0, 0, 1, 3_000), "CONVEYOR_POLL_MAX_MS");
  }

  @Test
  void loadStretchesTheLooksBeforeAJobsEndUpToItAndTheReadAimedThereByATenthAtMost() {
    TypeState tens = new TypeState(finished(NONE, 30, 10_000), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    Job reported = running(2_000, new Progress(20, "step 2"), 2_000);
    long atEnd = HintEstimator.hint(reported, NOW, tens, 0, 0, 1, 60_000);
    assertEquals(Math.round(atEnd * (1 + HintEstimator.PAST_END_SHARE)),
        HintEstimator.hint(reported, NOW, tens, 1.0, 0, 1, 60_000),
        "aimed at its end: put off, it spares no read, so saturated it grows by a tenth, the delay its client bears");
    assertEquals(Math.round(atEnd * (1 + HintEstimator.PAST_END_SHARE / 2)),
        HintEstimator.hint(reported, NOW, tens, 0.9, 0, 1, 60_000), "half way to saturated: a twentieth");
    Job queued = queued(Priority.NORMAL);
    long probe = HintEstimator.hint(queued, NOW, tens, 0, 0, 1, 60_000);
    assertTrue(probe < 2_000, "a first look early in a long run, as its jobs were alike: " + probe);
    assertEquals(3 * probe, HintEstimator.hint(queued, NOW, tens, 1.0, 0, 1, 60_000), "saturated: three times");
    TypeState twos = new TypeState(finished(NONE, 30, 2_000), UNREPORTED, 0, 0, Map.of(), IDLE, NOW);
    Job young = running(100, null, 0);
    long shortly = HintEstimator.hint(young, NOW, twos, 0, 0, 1, 60_000);
    assertEquals(Math.round(shortly * (1 + HintEstimator.PAST_END_SHARE)),
        HintEstimator.hint(young, NOW, twos, 1.0, 0, 1, 60_000), "at the end its type's jobs had");
    assertEquals(3_000, HintEstimator.stretched(new HintEstimator.Look(2_000, 3_000), 1.0).ms(),
        "a look 2 s before an end 3 s away: to the end, not to three times 2 s");
    assertEquals(6_000, HintEstimator.stretched(HintEstimator.Look.endUnknown(2_000), 1.0).ms(), "no end known");
    assertEquals(new HintEstimator.Look(2_000, 2_000), new HintEstimator.Look(2_000, 1_000), "no end before the look");
  }

  @Test
  void underLoadAQueuedJobsWaitForTheWorkAheadStretchesWholeAndItsLookAtTheEndByATenth() {
    DurationHistory spread = finished(finished(NONE, 30, 2_000), 4, 200);
    TypeState ahead = new TypeState(spread, UNREPORTED, 0, 100, Map.of(Priority.NORMAL, new JobStore.Queued(100, 1_000)),
        IDLE, NOW);
    long idle = hint(queued(Priority.NORMAL), ahead);
    assertEquals(1_000 + MARGIN + HintEstimator.START_MS + bucketEnd(2_000) + HintEstimator.VISIBLE_MS, idle,
        "100 jobs ahead at 100 a second, then the end of the jobs of 2 s");
    long loaded = idle + 2 * (1_000 + MARGIN);
    assertEquals(loaded + Math.round(loaded * HintEstimator.PAST_END_SHARE),
        HintEstimator.hint(queued(Priority.NORMAL), NOW, ahead, 1.0, 0, 1, 60_000),
        "saturated: the wait three times, the whole by a tenth more");
  }

  @Test
  void aJobPastItsTimeLimitOrOfATypeWithNoHistoryIsReadInStepsNotAtTheLimit() {
    TypeState sixties = new TypeState(finished(NONE, 30, 60_000), reportedAt(30, 10), 0, 0, Map.of(), IDLE, NOW);
    Job overdue = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 1, 3,
        22_000L, null, null, NOW.minusMillis(23_000), NOW.minusMillis(23_000), NOW.minusMillis(23_000), null, null,
        null, false, 1, null);
    assertEquals(Math.round(23_000 * HintEstimator.OVERDUE_SHARE) + 23_000 - (22_000 + HintEstimator.FINISH_MS),
        HintEstimator.hint(overdue, NOW, sixties, 0, 0, 1, 30_000),
        "23 s in, past its limit of 22 s: a short step, not the 60 s its type's jobs ran");
    Job limited = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 1, 3,
        60_000L, null, null, NOW.minusMillis(1_500), NOW.minusMillis(1_500), NOW.minusMillis(1_500), null, null, null,
        false, 1, null);
    assertEquals(750, HintEstimator.hint(limited, NOW, new TypeState(NONE, UNREPORTED, 0, 0, Map.of(), IDLE, NOW), 0, 0,
        1, 30_000), "a type with no history: after half its age, not at its limit of 60 s");
  }

  @Test
  void aJobWithATimeLimitIsReadByThenWhateverTheLengthsBeyondIt() {
    TypeState sixties = new TypeState(finished(NONE, 30, 60_000), reportedAt(30, 10), 0, 0, Map.of(), IDLE, NOW);
    Job limited = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 1, 3,
        22_000L, null, null, NOW.minusMillis(2_500), NOW.minusMillis(2_500), NOW.minusMillis(2_500), null, null, null,
        false, 1, null);
    assertEquals(22_000 + HintEstimator.FINISH_MS - 2_500 + HintEstimator.VISIBLE_MS,
        HintEstimator.hint(limited, NOW, sixties, 0, 0, 1, 30_000),
        "silent at 2.5 s, at least 23 s long, but ended by its limit of 22 s: then, not on the 30 s steps to 60 s");
    Job reported = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(),
        new Progress(10, "step 1"), 1, 3, 22_000L, null, null, NOW.minusMillis(7_000), NOW.minusMillis(7_000),
        NOW.minusMillis(1_000), null, null, null, false, 1, null);
    assertEquals(22_000 + HintEstimator.FINISH_MS - 7_000 + HintEstimator.VISIBLE_MS,
        HintEstimator.hint(reported, NOW, sixties, 0, 0, 1, 30_000), "its progress points at 60 s: by its limit");
  }

  @Test
  void aLookBeforeAnEndPastTheLongestHintMovesOntoItsStepsIfThatIsALittleLater() {
    assertEquals(27_500, HintEstimator.onCapSteps(new HintEstimator.Look(22_400, 57_500), 30_000),
        "then 30 s later, at the end: a read less than at 22.4 s, 52.4 s and 57.5 s");
    assertEquals(9_000, HintEstimator.onCapSteps(new HintEstimator.Look(9_000, 60_100), 30_000),
        "the step, at 30.1 s, is far later than the look");
    assertEquals(20_000, HintEstimator.onCapSteps(new HintEstimator.Look(20_000, 60_010), 30_000),
        "the step, at 10 ms, is earlier");
    assertEquals(20_000, HintEstimator.onCapSteps(new HintEstimator.Look(20_000, 25_000), 30_000), "within a hint");
    assertEquals(40_000, HintEstimator.onCapSteps(HintEstimator.Look.atEnd(40_000), 30_000), "aimed at the end");
    assertEquals(20_000, HintEstimator.onCapSteps(HintEstimator.Look.endUnknown(20_000), 30_000), "no end known");
    assertEquals(30_000, HintEstimator.onCapSteps(new HintEstimator.Look(20_000, 60_000), 30_000),
        "an end two longest hints away: the step at one, half as late again");
    assertEquals(20_000, HintEstimator.onCapSteps(new HintEstimator.Look(20_000, 60_001), 30_000),
        "the step a moment over half as late again: as it was");
    assertEquals(Long.MAX_VALUE - 1 - (Long.MAX_VALUE - 2) / 30_000 * 30_000,
        HintEstimator.onCapSteps(new HintEstimator.Look(20_000, Long.MAX_VALUE - 1), 30_000),
        "an end as far as can be: its step, without overflow");
  }

  @Test
  void endsAreBucketEndsAmongTheJobsOfTheRangeAsked() {
    DurationHistory h = finished(finished(NONE, 10, 200), 10, 2_000);
    assertEquals(-1, NONE.endWithin(0.5, 0, Long.MAX_VALUE));
    assertEquals(-1, NONE.longest());
    assertEquals(200, h.endWithin(0.25, 0, Long.MAX_VALUE), "buckets of 1 ms up to 300 ms");
    assertEquals(bucketEnd(2_000), h.endWithin(0.75, 0, Long.MAX_VALUE));
    assertEquals(bucketEnd(2_000), h.endWithin(0.5, 300, Long.MAX_VALUE), "of those past 300 ms");
    assertEquals(200, h.endWithin(0.5, 0, 1_000), "of those within 1 s");
    assertEquals(-1, h.endWithin(0.5, 5_000, Long.MAX_VALUE), "none ran that long");
    assertEquals(bucketEnd(2_000), h.longest());
  }

  @Test
  void aYoungSilentJobOfATypeThatReportsEarlyIsLookedAtEarlyInItsRunWhileItsSilenceSaysNothingYet() {
    DurationHistory threes = finished(finished(NONE, 30, 3_000), 4, 200);
    // Claims that lag 150 ms: 250 ms in, its handler may not have run 100 ms, and its silence says nothing yet.
    FirstReports slowClaims = new FirstReports(reportedAt(20, 10).shares(), UNREPORTED.lateLengths(),
        claimLags(20, 150).claimLags());
    Job silent = running(250, null, 0);
    assertEquals(Math.round(bucketEnd(3_000) * HintEstimator.PROBE_SHARE) - 250 + HintEstimator.VISIBLE_MS,
        hint(silent, new TypeState(threes, slowClaims, 0, 0, Map.of(), IDLE, NOW)),
        "15 % of the way to the jobs of 3 s: one of 2 s has reported by then");
    assertEquals(bucketEnd(3_000) - 250 + HintEstimator.VISIBLE_MS,
        hint(silent, new TypeState(threes, UNREPORTED, 0, 0, Map.of(), IDLE, NOW)),
        "a type whose jobs are not known to report early: at their end");
    FirstReports atAFifth = new FirstReports(reportedAt(20, 20).shares(), UNREPORTED.lateLengths(),
        claimLags(20, 150).claimLags());
    assertEquals(bucketEnd(3_000) - 250 + HintEstimator.VISIBLE_MS,
        hint(silent, new TypeState(threes, atAFifth, 0, 0, Map.of(), IDLE, NOW)),
        "jobs that report a fifth in would not have reported at that look: at their end");
    DurationHistory onesBetween = finished(threes, 10, 1_000);
    assertEquals(bucketEnd(1_000) - 250 + HintEstimator.VISIBLE_MS,
        hint(silent, new TypeState(onesBetween, slowClaims, 0, 0, Map.of(), IDLE, NOW)),
        "a fifth of recent jobs ended at 1 s, between: read as they end, where the cheapest read is");
    FirstReports slowerClaims = new FirstReports(slowClaims.shares(), UNREPORTED.lateLengths(),
        claimLags(20, 300).claimLags());
    assertEquals(bucketEnd(3_000) - 400 + HintEstimator.VISIBLE_MS,
        hint(running(400, null, 0), new TypeState(threes, slowerClaims, 0, 0, Map.of(), IDLE, NOW)),
        "400 ms in, after claims that lag 300 ms, less than 100 ms before that look: at their end");
  }

  @Test
  void aRunningJobThatHasNotReportedYetOfATypeThatReportsEarlyIsReadWhenItsFirstReportIsDueNotAtShorterEnds() {
    DurationHistory shortJobs = finished(finished(NONE, 20, 200), 20, 2_000);
    Job silent = running(300, null, 0);
    long byEnds = hint(silent, new TypeState(shortJobs, UNREPORTED, 0, 0, Map.of(), IDLE, NOW));
    assertEquals(bucketEnd(2_000) - 300 + HintEstimator.VISIBLE_MS, byEnds, "not knowing: at the 2 s jobs' end");

    // Ten steps: a job with no progress 300 ms in runs at least ten times as long, and is first read then.
    long early = hint(silent, new TypeState(shortJobs, reportedAt(20, 10), 0, 0, Map.of(), IDLE, NOW));
    long least = Math.round((300 - HintEstimator.VISIBLE_MS) / 0.1);
    assertEquals(least - 300 + HintEstimator.VISIBLE_MS, early, "past the 2 s jobs, which it is not");
    assertEquals(bucketEnd(200) - 50 + HintEstimator.VISIBLE_MS,
        hint(running(50, null, 0), new TypeState(shortJobs, reportedAt(20, 10), 0, 0, Map.of(), IDLE, NOW)),
        "50 ms in, a report may not be seen yet: at the 200 ms jobs' end");
    Job silentLonger = running(1_500, null, 0);
    DurationHistory longer = finished(shortJobs, 20, 20_000);
    assertEquals(bucketEnd(20_000) - 1_500 + HintEstimator.VISIBLE_MS,
        hint(silentLonger, new TypeState(longer, reportedAt(20, 10), 0, 0, Map.of(), IDLE, NOW)),
        "1.5 s in, at least 14.85 s long: read as the 20 s jobs end, a little later");
    assertEquals(least - 300 + HintEstimator.VISIBLE_MS,
        hint(silent, new TypeState(longer, reportedAt(20, 10), 0, 0, Map.of(), IDLE, NOW)),
        "300 ms in, at least 2.85 s long: not read as the 20 s jobs end, far later");
    // The shares are of the handlers' runs: one that began 40 ms after its claim has run 245 ms of its own, not 285.
    FirstReports lagging = new FirstReports(reportedAt(20, 10).shares(), UNREPORTED.lateLengths(),
        claimLags(20, 40).claimLags());
    assertEquals(40 + Math.round((300 - HintEstimator.VISIBLE_MS - 40) / 0.1) - 300 + HintEstimator.VISIBLE_MS,
        hint(silent, new TypeState(shortJobs, lagging, 0, 0, Map.of(), IDLE, NOW)),
        "at least 2.49 s long, its claim's lag and ten times what its handler ran since");
    FirstReports slowClaims = new FirstReports(lagging.shares(), UNREPORTED.lateLengths(),
        claimLags(20, 40).claimLags().decayAndAdd(1, lagsOf(2, 250)));
    assertEquals(bucketEnd(2_000) - 300 + HintEstimator.VISIBLE_MS,
        hint(silent, new TypeState(shortJobs, slowClaims, 0, 0, Map.of(), IDLE, NOW)),
        "one claim in eleven lagged 250 ms: its handler may not have run 100 ms, so its silence says nothing yet");
    assertEquals(40 + Math.round((400 - HintEstimator.VISIBLE_MS - 40) / 0.1) - 400 + HintEstimator.VISIBLE_MS,
        hint(running(400, null, 0), new TypeState(shortJobs, slowClaims, 0, 0, Map.of(), IDLE, NOW)),
        "400 ms in, it has: at least the median lag and ten times what the handler ran since");
    assertEquals(least - 300 + HintEstimator.VISIBLE_MS,
        hint(silent, new TypeState(shortJobs, reportedAt(20, 2), 0, 0, Map.of(), IDLE, NOW)),
        "reports earlier than a tenth in are taken as at a tenth: a job unlike them is not read far too late");

    assertEquals(byEnds, hint(silent, new TypeState(shortJobs, reportedAt(20, 60), 0, 0, Map.of(), IDLE, NOW)),
        "a type whose jobs report late says little by not having reported");
    assertEquals(byEnds, hint(silent, new TypeState(shortJobs, reportedAtEnd(reportedAt(38, 10), 2, 2_000), 0, 0,
        Map.of(), IDLE, NOW)), "nor one whose jobs that ran longer than it has report at their end one in ten times");
    DurationHistory afterBacklog = finished(shortJobs, 500, 150);
    assertEquals(least - 300 + HintEstimator.VISIBLE_MS, hint(silent, new TypeState(afterBacklog,
        reportedAtEnd(reportedAt(40, 10), 500, 150), 0, 0, Map.of(), IDLE, NOW)),
        "but a backlog of 150 ms jobs that report at their end says nothing of a job that has run 300 ms");
    FirstReports lengthsMissing = new FirstReports(reportAtEndShares(reportedAt(37, 10), 3), UNREPORTED.lateLengths());
    assertEquals(byEnds, hint(silent, new TypeState(shortJobs, lengthsMissing, 0, 0, Map.of(), IDLE, NOW)),
        "late reporters whose lengths were not counted (an earlier worker): over one in twenty is too many, whatever long");
    FirstReports fewMissing = new FirstReports(reportAtEndShares(reportedAt(98, 10), 2), UNREPORTED.lateLengths());
    assertEquals(least - 300 + HintEstimator.VISIBLE_MS, hint(silent, new TypeState(shortJobs, fewMissing, 0, 0,
        Map.of(), IDLE, NOW)), "one in fifty is few");
    FirstReports longAgo = new FirstReports(reportedAt(40, 10).shares(),
        finished(UNREPORTED.lateLengths(), 1, 5_000).decayAndAdd(0.4, new long[0]));
    long leastPastAll = Math.round((3_000 - HintEstimator.VISIBLE_MS) / 0.1);
    assertEquals(leastPastAll - 3_000 + HintEstimator.VISIBLE_MS, hint(running(3_000, null, 0), new TypeState(shortJobs,
        longAgo, 0, 0, Map.of(), IDLE, NOW)), "3 s in, past every recent end: a late reporter of 5 s long decayed is an"
        + " outlier, not all the jobs that ran as long");
    assertEquals(byEnds, hint(silent, new TypeState(shortJobs, reportedAt(1, 10, 10), 0, 0, Map.of(), IDLE, NOW)),
        "nor two jobs' reports");

    Job limited = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 1, 3,
        1_000L, null, null, NOW, NOW.minusMillis(300), NOW.minusMillis(300), null, null, null, false, 1, null);
    assertEquals(1_000 + HintEstimator.FINISH_MS - 300 + HintEstimator.VISIBLE_MS,
        hint(limited, new TypeState(shortJobs, reportedAt(20, 10), 0, 0, Map.of(), IDLE, NOW)),
        "an attempt limited to 1 s ends by then");

    Job reported = running(300, new Progress(10, null), 200);
    assertEquals(hint(reported, new TypeState(shortJobs, UNREPORTED, 0, 0, Map.of(), IDLE, NOW)),
        hint(reported, new TypeState(shortJobs, reportedAt(20, 10), 0, 0, Map.of(), IDLE, NOW)),
        "with progress, its rate says how long it is");
  }
}
