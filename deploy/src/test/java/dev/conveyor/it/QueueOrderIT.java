package dev.conveyor.it;

import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.queue.QueueOrder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each record a job is sent in carries its place in the queue, when the job was due (see {@link QueueOrder}), which
 * workers start a queue's records by: set by the submit, and again when a failed attempt queues the job again.
 */
@ExtendWith(TestStack.class)
class QueueOrderIT {
  @Test
  void aRecordCarriesWhenItsJobWasDueAndARequeuedJobsRecordItsNewDueTime() {
    Instant runAt = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
    String id = submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":1},\"maxAttempts\":2,\"runAt\":\""
        + runAt + "\"}");
    JsonNode done = Http.awaitTerminal(KEY_ALPHA, id);
    assertEquals("succeeded", done.get("status").asText(), done.toString());

    List<ConsumerRecord<String, String>> records = JobRecords.of("fail", id, 2);
    for (ConsumerRecord<String, String> record : records) {
      assertNotNull(record.headers().lastHeader(QueueOrder.HEADER_NAME), "every record carries its place");
    }
    assertEquals(runAt.toEpochMilli(), QueueOrder.of(records.get(0)), "submitted: due at its runAt");
    long requeued = QueueOrder.of(records.get(1));
    Instant firstFailed = Instant.parse(done.get("startedAt").asText());
    assertTrue(requeued > runAt.toEpochMilli() && requeued >= firstFailed.toEpochMilli(),
        "queued again after its first attempt, due then: " + Instant.ofEpochMilli(requeued) + " (first attempt "
            + firstFailed + ")");
    assertTrue(requeued <= records.get(1).timestamp() + 1_000,
        "its record is sent once it is due, not long before: due " + requeued + ", sent "
            + records.get(1).timestamp());
  }
}
