package dev.conveyor.queue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A record's place in its queue: when its job was due, in epoch milliseconds, sent in a header of its own. Workers
 * start a queue's records in this order across its partitions. The time a record was sent follows it only roughly:
 * jobs submitted together commit and are sent in no set order, and a job queued again waits for its record to be due.
 */
public final class QueueOrder {
  public static final String HEADER_NAME = "conveyor-queued";

  private QueueOrder() {
  }

  /** Adds the place of a job due at {@code queuedAt}; nothing if that is not known (a record owed before it was). */
  public static void put(Headers headers, Instant queuedAt) {
    if (queuedAt != null) {
      headers.add(HEADER_NAME, Long.toString(queuedAt.toEpochMilli()).getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** The record's place: its header's, else (sent without one, or unreadable) the time it was sent. */
  public static long of(ConsumerRecord<?, ?> record) {
    Header header = record.headers().lastHeader(HEADER_NAME);
    if (header != null && header.value() != null) {
      try {
        return Long.parseLong(new String(header.value(), StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        // not ours to judge: fall back on the send time
      }
    }
    return record.timestamp();
  }
}
