package dev.conveyor.worker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.jobs.Priority;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LookAheadTest {
  /** Retries exactly half of LIMIT_RETRY_MS after a refusal. */
  private static final RandomGenerator NO_JITTER = new RandomGenerator() {
    @Override
    public long nextLong() {
      return 0;
    }

    @Override
    public long nextLong(long bound) {
      return 0;
    }
  };
  private final Topics topics = new Topics("ns");
  private long offset;

  private ConsumerRecord<String, String> record(String type, Priority priority, boolean backlog) {
    return new ConsumerRecord<>(topics.forQueue(new JobQueue(type, priority, backlog)), 0, offset++,
        type + "/" + priority.wire() + (backlog ? "/backlog" : ""), "{}");
  }

  private static List<String> drain(LookAhead lookAhead, int n) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ConsumerRecord<String, String> next = lookAhead.next(0);
      if (next == null) {
        break;
      }
      keys.add(next.key());
    }
    return keys;
  }

  @Test
  void higherPrioritiesStartFirstWhateverTheOrderTheyWereReadIn() {
    LookAhead lookAhead = new LookAhead(topics, List.of("t"), 100, Map.of(), NO_JITTER);
    for (int i = 0; i < 5; i++) {
      lookAhead.add(record("t", Priority.LOW, false));
      lookAhead.add(record("t", Priority.NORMAL, false));
      lookAhead.add(record("t", Priority.HIGH, false));
    }
    assertEquals(List.of("t/high", "t/high", "t/high", "t/high", "t/high", "t/normal", "t/normal", "t/normal",
        "t/normal", "t/low", "t/normal", "t/low", "t/low", "t/low", "t/low"), drain(lookAhead, 20));
    assertEquals(0, lookAhead.size());
  }

  @Test
  void aLowerPriorityGetsOneStartInTenUnderAStreamOfHigherOnes() {
    LookAhead lookAhead = new LookAhead(topics, List.of("t"), 1000, Map.of(), NO_JITTER);
    for (int i = 0; i < 100; i++) {
      lookAhead.add(record("t", Priority.HIGH, false));
      lookAhead.add(record("t", Priority.LOW, false));
    }
    List<String> first = drain(lookAhead, 50);
    assertEquals(5, first.stream().filter("t/low"::equals).count(), first.toString());
  }

  @Test
  void theFreshLaneGoesBeforeTheBacklogLaneWhichStillAdvances() {
    LookAhead lookAhead = new LookAhead(topics, List.of("t"), 1000, Map.of(), NO_JITTER);
    for (int i = 0; i < 30; i++) {
      lookAhead.add(record("t", Priority.NORMAL, true));
    }
    for (int i = 0; i < 18; i++) {
      lookAhead.add(record("t", Priority.NORMAL, false));
    }
    List<String> first = drain(lookAhead, 20);
    assertEquals(18, first.stream().filter("t/normal"::equals).count(), first.toString());
    assertEquals("t/normal/backlog", first.get(9));
  }

  @Test
  void typesOfALowerPriorityTakeTurnsUnderAStreamOfHigherOnes() {
    LookAhead lookAhead = new LookAhead(topics, List.of("a", "b", "h"), 1000, Map.of(), NO_JITTER);
    for (int i = 0; i < 200; i++) {
      lookAhead.add(record("h", Priority.HIGH, false));
      lookAhead.add(record(i % 2 == 0 ? "a" : "b", Priority.NORMAL, false));
    }
    List<String> first = drain(lookAhead, 100);
    assertEquals(5, first.stream().filter("a/normal"::equals).count(), first.toString());
    assertEquals(5, first.stream().filter("b/normal"::equals).count(), first.toString());
  }

  @Test
  void typesOfOnePriorityTakeTurns() {
    LookAhead lookAhead = new LookAhead(topics, List.of("a", "b"), 100, Map.of(), NO_JITTER);
    for (int i = 0; i < 3; i++) {
      lookAhead.add(record("a", Priority.NORMAL, false));
    }
    lookAhead.add(record("b", Priority.NORMAL, false));
    assertTrue(drain(lookAhead, 2).contains("b/normal"), "b is not stuck behind a");
  }

  @Test
  void aLimitedTypeStartsNoMoreThanItsLimitAndWaitsAfterFindingNoRoom() {
    LookAhead lookAhead = new LookAhead(topics, List.of("api", "t"), 100, Map.of("api", 2), NO_JITTER);
    List<ConsumerRecord<String, String>> limited = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ConsumerRecord<String, String> r = record("api", Priority.HIGH, false);
      limited.add(r);
      lookAhead.add(r);
    }
    lookAhead.add(record("t", Priority.LOW, false));
    ConsumerRecord<String, String> a = lookAhead.next(0);
    ConsumerRecord<String, String> b = lookAhead.next(0);
    assertEquals(List.of(limited.get(0), limited.get(1)), List.of(a, b));
    assertEquals("t/low", lookAhead.next(0).key(), "other types start meanwhile");
    assertNull(lookAhead.next(0), "two of api started here already");

    lookAhead.ended(a, true);
    ConsumerRecord<String, String> c = lookAhead.next(0);
    assertEquals(limited.get(2), c);
    // The cluster had no room for c: it goes back first in line, and api waits a while.
    lookAhead.overLimit(c, 1_000);
    lookAhead.ended(c, false);
    assertEquals(1_000 + LookAhead.LIMIT_RETRY_MS / 2, lookAhead.nextRetryAt(1_000));
    assertNull(lookAhead.next(1_000 + LookAhead.LIMIT_RETRY_MS / 2 - 1));
    assertEquals(limited.get(2), lookAhead.next(1_000 + LookAhead.LIMIT_RETRY_MS / 2));

    lookAhead.overLimit(limited.get(2), 5_000);
    lookAhead.ended(limited.get(2), false);
    lookAhead.ended(b, true);
    assertEquals(limited.get(2), lookAhead.next(5_000), "a job of the type ending here means room again");
    assertEquals(Long.MAX_VALUE, lookAhead.nextRetryAt(5_000), "no type waits");
  }

  @Test
  void aQueuesOldestRecordStartsFirstWhicheverPartitionItWasReadFrom() {
    LookAhead lookAhead = new LookAhead(topics, List.of("t"), 100, Map.of(), NO_JITTER);
    String topic = topics.forQueue(new JobQueue("t", Priority.NORMAL, false));
    lookAhead.add(QueueBufferTest.sent(topic, 0, 0, 100));
    lookAhead.add(QueueBufferTest.sent(topic, 0, 1, 300));
    lookAhead.add(QueueBufferTest.sent(topic, 1, 0, 200));
    lookAhead.add(QueueBufferTest.sent(topic, 1, 1, 400));
    assertEquals(List.of("100", "200", "300", "400"), drain(lookAhead, 5));
  }

  @Test
  void eachPartitionIsPausedAtItsShareOfTheQueueUntilHalfEmptyAndForgottenPartitionsAreDropped() {
    LookAhead lookAhead = new LookAhead(topics, List.of("t"), 4, Map.of(), NO_JITTER);
    String high = topics.forQueue(new JobQueue("t", Priority.HIGH, false));
    TopicPartition p0 = new TopicPartition(high, 0);
    TopicPartition p1 = new TopicPartition(high, 1);
    TopicPartition low = new TopicPartition(topics.forQueue(new JobQueue("t", Priority.LOW, true)), 0);
    List<TopicPartition> assigned = List.of(p0, p1, low);
    lookAhead.add(QueueBufferTest.sent(high, 0, 0, 1));
    lookAhead.add(QueueBufferTest.sent(high, 0, 1, 2));
    lookAhead.add(QueueBufferTest.sent(high, 1, 0, 3));
    lookAhead.add(QueueBufferTest.sent(low.topic(), 0, 0, 4));
    assertEquals(Set.of(p0), lookAhead.partitionsToPause(assigned, Set.of()), "two partitions: a share of 2 each");
    lookAhead.add(QueueBufferTest.sent(high, 0, 2, 5));
    lookAhead.next(0);
    assertEquals(Set.of(p0), lookAhead.partitionsToPause(assigned, Set.of(p0)), "still at its share");
    lookAhead.next(0);
    assertEquals(Set.of(), lookAhead.partitionsToPause(assigned, Set.of(p0)), "resumed at half");
    lookAhead.add(QueueBufferTest.sent(high, 0, 3, 6));
    lookAhead.add(QueueBufferTest.sent(high, 0, 4, 7));
    assertEquals(Set.of(p0), lookAhead.partitionsToPause(assigned, Set.of()), "3 records, share 2");
    assertEquals(Set.of(), lookAhead.partitionsToPause(List.of(p0), Set.of()),
        "the only partition of its topic here: its share is the whole queue's 4");
    lookAhead.forget(List.of(p0, p1));
    assertEquals(1, lookAhead.size());
    assertEquals(Set.of(), lookAhead.partitionsToPause(assigned, Set.of()));
    assertEquals("4", lookAhead.next(0).key());
  }
}
