package dev.conveyor.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveyor.jobs.Priority;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
  private final Topics topics = new Topics("ns");
  private final Reconciler reconciler = new Reconciler(null, null, null, null, topics, 60_000);

  private TopicPartition tp(String type, int partition) {
    return new TopicPartition(topics.forType(type), partition);
  }

  @Test
  void aTypeIsDrainedOnceEveryPartitionWasReadPastWhereItEndedBefore() {
    Map<TopicPartition, Long> endsBefore = Map.of(tp("a", 0), 10L, tp("a", 1), 5L, tp("b", 0), 7L, tp("c", 0), 0L);
    Map<TopicPartition, Long> committed = Map.of(tp("a", 0), 12L, tp("a", 1), 5L, tp("b", 0), 6L);
    assertEquals(List.of("a", "c"), reconciler.drainedTypes(List.of("a", "b", "c", "d"), endsBefore, committed),
        "b still has an unread record; d has no topic here; c never held one");
  }

  @Test
  void anUnreadRecordInAnyQueueOfTheTypeKeepsItFromBeingDrained() {
    TopicPartition high = new TopicPartition(topics.forQueue(new JobQueue("a", Priority.HIGH, false)), 0);
    TopicPartition backlog = new TopicPartition(topics.forQueue(new JobQueue("a", Priority.LOW, true)), 3);
    Map<TopicPartition, Long> endsBefore = Map.of(tp("a", 0), 10L, high, 4L, backlog, 2L);
    assertEquals(List.of(), reconciler.drainedTypes(List.of("a"), endsBefore,
        Map.of(tp("a", 0), 10L, high, 4L, backlog, 1L)));
    assertEquals(List.of("a"), reconciler.drainedTypes(List.of("a"), endsBefore,
        Map.of(tp("a", 0), 10L, high, 4L, backlog, 2L)));
  }

  @Test
  void aPartitionNeverCommittedCountsAsUnread() {
    Map<TopicPartition, Long> endsBefore = Map.of(tp("a", 0), 1L);
    assertEquals(List.of(), reconciler.drainedTypes(List.of("a"), endsBefore, Map.of()));
  }
}
