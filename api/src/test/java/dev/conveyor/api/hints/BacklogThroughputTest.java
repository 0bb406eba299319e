package dev.conveyor.api.hints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.cache.JobMetrics;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The workers' capacity, learnt from backlogs: refreshes every 0.5 s against a finish counter. */
class BacklogThroughputTest {
  private static final long[] NONE = new long[0];
  private final BacklogThroughput throughput = new BacklogThroughput();

  @Test
  void aBacklogsThroughputIsKnownWithinASecondOfItsStart() {
    assertEquals(0, throughput.capacity("t", 0, 2_000, 10_000, NONE, 0, 500), 0, "the backlog starts: measured from here");
    assertEquals(800, throughput.capacity("t", 0, 1_600, 10_400, NONE, 500, 500), 1e-9, "400 finished in 0.5 s");
    assertEquals(900, throughput.capacity("t", 800, 1_100, 10_900, NONE, 1_000, 500), 1e-9,
        "900 a second over its life so far: higher, so at once");
  }

  @Test
  void tooFewFinishesOrTooShortALifeSayNothing() {
    throughput.capacity("t", 0, 2_000, 0, NONE, 0, 500);
    assertEquals(0, throughput.capacity("t", 0, 2_000, 49, NONE, 500, 500), 0, "49 finishes: noise");
    throughput.capacity("u", 0, 2_000, 0, NONE, 0, 500);
    assertEquals(0, throughput.capacity("u", 0, 2_000, 200, NONE, 400, 400), 0, "0.4 s: the first claims' lag");
    assertEquals(0, throughput.capacity("t", 0, 99, 10_000, NONE, 10_000, 500), 0, "99 waiting is no backlog");
  }

  @Test
  void aCapacityIsLearntFromABacklogMeasuredOverTwoSecondsOfItsLife() {
    throughput.capacity("t", 0, 2_000, 0, NONE, 0, 500);
    throughput.capacity("t", 0, 1_600, 400, NONE, 500, 500);
    assertFalse(throughput.learnt("t"), "half a second of a first backlog: how it began");
    throughput.capacity("t", 800, 500, 1_900, NONE, BacklogThroughput.LEARNT_MS, 500);
    assertTrue(throughput.learnt("t"), "two seconds of it");

    throughput.capacity("u", 0, 2_000, 0, NONE, 0, 500);
    throughput.capacity("u", 0, 1_000, 1_000, NONE, 1_000, 1_000);
    assertFalse(throughput.learnt("u"));
    throughput.capacity("u", 1_000, 50, 1_950, NONE, 1_500, 500);
    assertFalse(throughput.learnt("u"), "a backlog measured for a second, then ended: how it began, still");
    throughput.retain(List.of("u"));
    assertFalse(throughput.learnt("t"), "forgotten with its type");
  }

  @Test
  void aCapacityNoLongerReachedFallsSlowlyAndOneWithNoBacklogStays() {
    throughput.capacity("t", 0, 2_000, 0, NONE, 0, 500);
    double high = throughput.capacity("t", 0, 2_000, 1_000, NONE, 1_000, 1_000);
    assertEquals(1_000, high, 1e-9);
    double later = throughput.capacity("t", high, 2_000, 1_000, NONE, 61_000, 60_000);
    assertEquals(1_000 * 0.5 + (1_000.0 / 61) * 0.5, later, 1e-6, "a minute with no finish halves the gap");
    assertEquals(later, throughput.capacity("t", later, 0, 1_000, NONE, 62_000, 1_000), 0, "no backlog: as it was");
  }

  @Test
  void howManyRanAtOnceIsTheTimeTheJobsThatEndedRanOverTheBacklogsLife() {
    throughput.capacity("t", 0, 2_000, 10_000, ended(72, 1_000), 0, 500);
    assertEquals(0, throughput.inFlight("t"), 0, "not measured yet");
    throughput.capacity("t", 0, 1_600, 10_400, ended(72, 1_400), 500, 500);
    assertEquals(57.6, throughput.inFlight("t"), 1e-9, "400 jobs of 72 ms in 0.5 s: 57.6 at once");
    assertEquals(800, throughput.rate("t"), 1e-9, "and 800 a second");
    long[] more = ended(72, 1_800);
    more[more.length - 1] = 1;
    throughput.capacity("t", 800, 1_200, 10_801, more, 1_000, 500);
    assertEquals((800 * 72 + 1_000) / 1_000.0, throughput.inFlight("t"), 1e-9,
        "over the backlog's whole life, a job of 10 minutes that ended in it one slot");
    throughput.capacity("t", 900, 99, 11_000, more, 1_500, 500);
    assertEquals(0, throughput.inFlight("t"), 0, "no backlog: nothing measured");
    assertEquals(0, throughput.rate("t"), 0, "neither its rate, though the capacity stays");
  }

  @Test
  void workersThatSpeedUpAreMeasuredOverARecentWindowOnceTheBacklogHasLastedTwoOfThem() {
    long finished = 0;
    double capacity = 0;
    for (long at = 0; at <= 2_000; at += 250) {
      capacity = throughput.capacity("t", capacity, 2_000, finished, ended(100, finished), at, 250);
      finished += at < 1_000 ? 100 : 200;
    }
    assertEquals(800, capacity, 1e-9, "400 a second in the first second, 800 in the next: 800 over the last half"
        + " second, not 600 over the life");
    assertEquals(800, throughput.rate("t"), 1e-9);
    for (long at = 2_250; at <= 3_000; at += 250) {
      finished += 50;
      capacity = throughput.capacity("t", capacity, 2_000, finished, ended(100, finished), at, 250);
    }
    assertEquals(200, throughput.rate("t"), 1e-9, "then 200 a second: the backlog's pace now, slower too");
    assertTrue(capacity > 790, "what the workers can do falls only slowly: " + capacity);
  }

  @Test
  void withNoDurationsCountedTheWindowIsNotKnownAndOnlyTheLifeCounts() {
    double capacity = 0;
    for (long at = 0; at <= 3_000; at += 250) {
      capacity = throughput.capacity("t", capacity, 200, at < 3_000 ? 0 : 64, NONE, at, 250);
    }
    assertEquals(64 / 3.0, capacity, 1e-9, "a round of 64 that ended just now, over the 3 s it took");
    assertEquals(64 / 3.0, throughput.rate("t"), 1e-9);
  }

  @Test
  void jobsThatEndInRoundsAreMeasuredOverTheWholeLifeUntilItSpansSixOfThem() {
    double capacity = throughput.capacity("t", 0, 200, 0, ended(3_000, 0), 0, 250);
    for (long at = 250; at < 3_000; at += 250) {
      capacity = throughput.capacity("t", capacity, 200, 0, ended(3_000, 0), at, 250);
    }
    capacity = throughput.capacity("t", capacity, 136, 64, ended(3_000, 64), 3_000, 250);
    assertEquals(64 / 3.0, capacity, 1e-9, "64 slots of 3 s, not 64 a second from the round that just ended");
  }

  @Test
  void durationCountersThatStartAgainAreMeasuredAfresh() {
    throughput.capacity("t", 0, 2_000, 10_000, ended(72, 1_000), 0, 500);
    throughput.capacity("t", 0, 2_000, 10_400, ended(72, 400), 500, 500);
    assertEquals(0, throughput.inFlight("t"), 0, "Redis lost the durations: from here");
    throughput.capacity("t", 0, 2_000, 10_800, ended(72, 800), 1_000, 500);
    assertEquals(57.6, throughput.inFlight("t"), 1e-9, "then from the new counts");
  }

  @Test
  void aFinishCounterThatFallsBelowItsLastCountStartsTheBacklogAgain() {
    throughput.capacity("t", 0, 2_000, 0, NONE, 0, 500);
    throughput.capacity("t", 0, 2_000, 400, NONE, 500, 500);
    assertEquals(300, throughput.capacity("t", 300, 2_000, 60, NONE, 1_000, 500), 0,
        "Redis lost the counter, which counted 60 since: as it was");
    assertEquals(1_000, throughput.capacity("t", 300, 2_000, 560, NONE, 1_500, 500), 1e-9, "then from 60");
  }

  /** Duration counters with {@code count} jobs of {@code ms} ended, in the first bucket that holds them. */
  private static long[] ended(long ms, long count) {
    long[] counts = new long[JobMetrics.HINT_BUCKETS_MS.length + 1];
    int at = Arrays.binarySearch(JobMetrics.HINT_BUCKETS_MS, ms);
    counts[at >= 0 ? at : -at - 1] = count;
    return counts;
  }

  @Test
  void aCounterThatStartsAgainOrATypeForgottenIsMeasuredAfresh() {
    throughput.capacity("t", 0, 2_000, 50_000, NONE, 0, 500);
    assertEquals(300, throughput.capacity("t", 300, 2_000, 10, NONE, 500, 500), 0, "Redis lost the counter: as it was");
    assertEquals(1_000, throughput.capacity("t", 300, 2_000, 510, NONE, 1_000, 500), 1e-9, "then from the new count");
    throughput.retain(List.of("other"));
    assertEquals(0, throughput.capacity("t", 0, 2_000, 2_000, NONE, 2_000, 1_000), 0, "forgotten: a new backlog");
  }
}
