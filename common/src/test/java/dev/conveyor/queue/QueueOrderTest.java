package dev.conveyor.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class QueueOrderTest {
  private static ConsumerRecord<String, String> sentAt(long sentAt, Headers headers) {
    return new ConsumerRecord<>("t", 0, 0, sentAt, TimestampType.CREATE_TIME, 0, 0, "k", "v", headers,
        Optional.empty());
  }

  @Test
  void aRecordsPlaceIsWhenItsJobWasDueNotWhenItWasSent() {
    Headers headers = new RecordHeaders();
    QueueOrder.put(headers, Instant.ofEpochMilli(1_000));
    assertEquals(1_000, QueueOrder.of(sentAt(5_000, headers)));
  }

  @Test
  void withoutAPlaceARecordTakesTheTimeItWasSent() {
    Headers none = new RecordHeaders();
    QueueOrder.put(none, null);
    assertNull(none.lastHeader(QueueOrder.HEADER_NAME), "an unknown due time adds no header");
    assertEquals(5_000, QueueOrder.of(sentAt(5_000, none)));
    Headers garbled = new RecordHeaders().add(QueueOrder.HEADER_NAME, "soon".getBytes(StandardCharsets.US_ASCII));
    assertEquals(5_000, QueueOrder.of(sentAt(5_000, garbled)));
  }
}
