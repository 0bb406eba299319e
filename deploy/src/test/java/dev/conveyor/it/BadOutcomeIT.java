package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.it.faults.IsolatedStack;
import dev.conveyor.queue.Topics;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Outcomes and inputs PostgreSQL cannot store end with a clear answer; they never loop. */
@ExtendWith(TestStack.class)
class BadOutcomeIT {
  private static IsolatedStack stack;

  @BeforeAll
  static void start() {
    stack = IsolatedStack.create("badoutcome", Map.of("CONVEYOR_MAX_RESULT_BYTES", "4096"));
    stack.startApi();
    stack.startWorker("bad-1");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void aResultWithANulCharacterEndsFailedWithoutRetries() {
    String id = stack.submitted("{\"type\":\"test.scripted\",\"maxAttempts\":3,\"payload\":"
        + "{\"result\":{\"text\":\"a{NUL}b\"}}}");
    JsonNode done = stack.awaitJob(id, j -> j.get("status").asText().equals("failed"), Duration.ofSeconds(30));
    assertEquals("result_unstorable", done.get("error").get("code").asText());
    assertEquals(1, done.get("attempts").asInt(), "not retried");
    assertTrue(done.get("error").get("message").asText().contains("Unicode"), done.toString());
  }

  @Test
  void aResultWithANumberPostgresqlCannotHoldEndsFailedWithoutRetries() {
    String id = stack.submitted("{\"type\":\"test.scripted\",\"maxAttempts\":3,\"payload\":"
        + "{\"result\":{\"n\":\"{BIG}\"}}}");
    JsonNode done = stack.awaitJob(id, j -> j.get("status").asText().equals("failed"), Duration.ofSeconds(30));
    assertEquals("result_unstorable", done.get("error").get("code").asText());
    assertEquals(1, done.get("attempts").asInt());
  }

  @Test
  void aResultOverTheLimitEndsFailed() {
    String id = stack.submitted("{\"type\":\"test.scripted\",\"maxAttempts\":3,\"payload\":{\"resultBytes\":5000}}");
    JsonNode done = stack.awaitJob(id, j -> j.get("status").asText().equals("failed"), Duration.ofSeconds(30));
    assertEquals("result_too_large", done.get("error").get("code").asText());
    assertEquals(1, done.get("attempts").asInt());
  }

  @Test
  void anErrorWithNulCharactersIsStoredCleaned() {
    String id = stack.submitted("{\"type\":\"test.scripted\",\"maxAttempts\":1,\"payload\":"
        + "{\"fail\":{\"code\":\"bad{NUL}code\",\"message\":\"nul {NUL} inside\"}}}");
    // One attempt: a failure's text is cleaned, not refused, so there is nothing to retry.
    JsonNode done = stack.awaitJob(id, j -> j.get("status").asText().equals("failed"), Duration.ofSeconds(30));
    assertEquals("bad\uFFFDcode", done.get("error").get("code").asText());
    assertEquals("nul \uFFFD inside", done.get("error").get("message").asText());
  }

  @Test
  void aPayloadPostgresqlWouldRefuseIsA4xxAndStoresNothing() {
    stack.submitted("{\"type\":\"noop\"}");
    long before = stack.sql("SELECT count(*) FROM jobs").iterator().next().getLong(0);
    HttpResponse<String> nul = stack.submit("{\"type\":\"noop\",\"payload\":{\"s\":\"x\\u0000y\"}}");
    assertEquals(400, nul.statusCode(), nul.body());
    assertTrue(nul.body().contains("U+0000"));
    HttpResponse<String> nulName = stack.submit("{\"type\":\"noop\",\"payload\":{\"k\\u0000\":1}}");
    assertEquals(400, nulName.statusCode(), nulName.body());
    HttpResponse<String> huge = stack.submit("{\"type\":\"noop\",\"payload\":{\"n\":1e1000000}}");
    assertEquals(422, huge.statusCode(), huge.body());
    assertEquals("application/problem+json", huge.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(before, stack.sql("SELECT count(*) FROM jobs").iterator().next().getLong(0), "nothing stored");
  }

  @Test
  void anUnreadableRecordIsSkippedWithALogLineNamingIt() {
    String topic = new Topics(stack.env().get("CONVEYOR_NAMESPACE")).forType("noop");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.env().get("CONVEYOR_KAFKA_BOOTSTRAP")),
        new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "not-a-job", "{not json"));
      producer.flush();
    }
    String after = stack.submitted("{\"type\":\"noop\"}");
    assertEquals("succeeded", stack.awaitJob(after, j -> j.get("status").asText().equals("succeeded"),
        Duration.ofSeconds(30)).get("status").asText());
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!stack.logText("bad-1").contains("skipping record " + topic) && System.nanoTime() < deadline) {
      IsolatedStack.pause(100);
    }
    assertTrue(stack.logText("bad-1").contains("skipping record " + topic), "the log names the record");
  }
}
