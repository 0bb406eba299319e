package dev.conveyor.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobTest {
  @Test
  void readsTheRepresentation() {
    Job job = Job.from(Codec.parse("{\"id\":\"a\",\"type\":\"sleep\",\"status\":\"running\",\"priority\":\"high\","
        + "\"payload\":{\"ms\":5},\"progress\":{\"percent\":40,\"message\":\"step 2\"},\"attempts\":1,"
        + "\"maxAttempts\":3,\"createdAt\":\"2026-11-22T10:15:30.123Z\",\"startedAt\":null,\"finishedAt\":null,"
        + "\"result\":null,\"error\":{\"code\":\"x\",\"message\":\"y\"},\"cancelRequested\":false,"
        + "\"nextPollAfterMs\":1800}"));
    assertEquals("running", job.status());
    assertEquals(new Job.Progress(40, "step 2"), job.progress());
    assertEquals(new Job.JobError("x", "y"), job.error());
    assertEquals(Instant.parse("2026-11-22T10:15:30.123Z"), job.createdAt());
    assertNull(job.startedAt());
    assertEquals(1800L, job.nextPollAfterMs());
    assertEquals(5, job.payload().get("ms").asInt());
    assertFalse(job.terminal());
  }

  @Test
  void aPartialAnswerLeavesTheRestEmpty() {
    Job job = Job.from(Codec.parse("{\"id\":\"a\",\"status\":\"cancelled\"}"));
    assertTrue(job.terminal());
    assertFalse(job.succeeded());
    assertNull(job.type());
    assertNull(job.progress());
    assertNull(job.nextPollAfterMs());
  }

  @Test
  void retryAfterIsWholeSeconds() {
    assertEquals(Duration.ofSeconds(3), Retries.retryAfter(" 3"));
    assertNull(Retries.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
    assertNull(Retries.retryAfter("-1"));
    assertNull(Retries.retryAfter(null));
  }

  @Test
  void aSubmitBodyCarriesOnlyWhatWasSet() {
    JobRequest request = JobRequest.of("sleep", java.util.Map.of("ms", 10)).withPriority("low").withMaxAttempts(2)
        .withIdempotencyKey("k");
    assertEquals("{\"type\":\"sleep\",\"payload\":{\"ms\":10},\"priority\":\"low\",\"maxAttempts\":2}",
        Codec.write(request.toJson()), "the key goes in a header, not the body");
  }
}
