package dev.conveyor.worker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.conveyor.queue.QueueOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class QueueBufferTest {
  /** A record of partition {@code partition}, sent at {@code sentAt}, keyed by that time. */
  static ConsumerRecord<String, String> sent(String topic, int partition, long offset, long sentAt) {
    return new ConsumerRecord<>(topic, partition, offset, sentAt, TimestampType.CREATE_TIME, 0, 0,
        String.valueOf(sentAt), "{}", new RecordHeaders(), Optional.empty());
  }

  private static List<String> drain(QueueBuffer buffer) {
    List<String> keys = new ArrayList<>();
    for (ConsumerRecord<String, String> r = buffer.pollFirstQueued(); r != null; r = buffer.pollFirstQueued()) {
      keys.add(r.key());
    }
    return keys;
  }

  @Test
  void recordsReadAPartitionAtATimeAreHandedOutInTheOrderTheyWereSent() {
    QueueBuffer buffer = new QueueBuffer();
    // As a poll returns them: a chunk of partition 0, then of 1, then of 2.
    long[][] sentAt = {{10, 40, 70}, {20, 50, 80}, {30, 60, 90}};
    for (int partition = 0; partition < sentAt.length; partition++) {
      for (int i = 0; i < sentAt[partition].length; i++) {
        buffer.addLast(sent("t", partition, i, sentAt[partition][i]));
      }
    }
    assertEquals(9, buffer.size());
    assertEquals(List.of("10", "20", "30", "40", "50", "60", "70", "80", "90"), drain(buffer));
    assertEquals(0, buffer.size());
  }

  @Test
  void aJobsPlaceInTheQueueOutranksWhenItsRecordWasSent() {
    QueueBuffer buffer = new QueueBuffer();
    ConsumerRecord<String, String> sentFirst = sent("t", 0, 0, 10);
    RecordHeaders dueFirst = new RecordHeaders();
    QueueOrder.put(dueFirst, Instant.ofEpochMilli(5));
    ConsumerRecord<String, String> sentLater = new ConsumerRecord<>("t", 1, 0, 20, TimestampType.CREATE_TIME, 0, 0,
        "due first", "{}", dueFirst, Optional.empty());
    buffer.addLast(sentFirst);
    buffer.addLast(sentLater);
    assertEquals(List.of("due first", "10"), drain(buffer));
  }

  @Test
  void aRecordPutBackIsItsPartitionsNextAndTiesGoToThePartitionReadFirst() {
    QueueBuffer buffer = new QueueBuffer();
    buffer.addLast(sent("t", 1, 0, 5));
    buffer.addLast(sent("t", 0, 0, 5));
    buffer.addLast(sent("t", 0, 1, 7));
    buffer.addLast(sent("t", 1, 1, 9));
    ConsumerRecord<String, String> first = buffer.pollFirstQueued();
    assertEquals(1, first.partition(), "same time: the partition read first");
    buffer.addFirst(first);
    assertEquals(2, buffer.size(1));
    assertEquals(first, buffer.pollFirstQueued(), "put back, it is first again");
    assertEquals(List.of("5", "7", "9"), drain(buffer));
  }

  @Test
  void forgottenPartitionsAreDropped() {
    QueueBuffer buffer = new QueueBuffer();
    buffer.addLast(sent("t", 0, 0, 1));
    buffer.addLast(sent("t", 1, 0, 2));
    buffer.addLast(sent("t", 2, 0, 3));
    buffer.forget(List.of(0, 2));
    assertEquals(1, buffer.size());
    assertEquals(0, buffer.size(0));
    assertEquals(List.of("2"), drain(buffer));
    buffer.addLast(sent("t", 0, 1, 4));
    buffer.clear();
    assertNull(buffer.pollFirstQueued());
  }
}
