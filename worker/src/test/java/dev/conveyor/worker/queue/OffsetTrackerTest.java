package dev.conveyor.worker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  private static final TopicPartition P0 = new TopicPartition("jobs", 0);
  private static final TopicPartition P1 = new TopicPartition("jobs", 1);

  @Test
  void commitsOnlyPastRecordsWhoseEveryPredecessorIsDone() {
    OffsetTracker tracker = new OffsetTracker();
    tracker.begin(P0, 10);
    tracker.begin(P0, 11);
    tracker.begin(P0, 12);
    assertEquals(Map.of(P0, new OffsetAndMetadata(10)), tracker.committable());
    tracker.complete(P0, 12);
    tracker.complete(P0, 11);
    assertTrue(tracker.committable().isEmpty(), "10 is still running");
    tracker.complete(P0, 10);
    assertEquals(Map.of(P0, new OffsetAndMetadata(13)), tracker.committable());
    assertTrue(tracker.committable().isEmpty(), "nothing moved since");
  }

  @Test
  void partitionsAreIndependentAndRevokedOnesAreForgotten() {
    OffsetTracker tracker = new OffsetTracker();
    tracker.begin(P0, 0);
    tracker.begin(P1, 5);
    tracker.complete(P1, 5);
    assertEquals(Map.of(P1, new OffsetAndMetadata(6)), tracker.committable(List.of(P1)));
    assertEquals(Map.of(P0, new OffsetAndMetadata(0)), tracker.committable());
    tracker.forget(List.of(P0));
    tracker.complete(P0, 0);
    assertTrue(tracker.committable().isEmpty());
    assertEquals(0, tracker.inFlight());
  }

  @Test
  void aPartitionForgottenAndBegunAgainHasANewEpoch() {
    OffsetTracker tracker = new OffsetTracker();
    assertNull(tracker.epoch(P0));
    tracker.begin(P0, 5);
    Object before = tracker.epoch(P0);
    assertSame(before, tracker.epoch(P0));
    tracker.forget(List.of(P0));
    tracker.begin(P0, 5);
    assertNotSame(before, tracker.epoch(P0), "work dispatched before the partition was lost is told apart");
  }
}
