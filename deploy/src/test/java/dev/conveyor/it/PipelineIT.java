package dev.conveyor.it;

import static dev.conveyor.it.Http.awaitJob;
import static dev.conveyor.it.Http.awaitTerminal;
import static dev.conveyor.it.Http.get;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.submit;
import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Submit → run → status through the real API, Kafka, worker, PostgreSQL and Redis, for every built-in type. */
@ExtendWith(TestStack.class)
class PipelineIT {

  @Test
  void acceptedJobIsStoredBeforeTheAnswerAndCarriesPollingHeaders() {
    HttpResponse<String> response = submit(KEY_ALPHA, "{\"type\":\"noop\",\"payload\":{\"n\":1}}");
    assertEquals(202, response.statusCode());
    JsonNode job = json(response);
    String id = job.get("id").asText();
    assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), id);
    assertEquals("/v1/jobs/" + id, response.headers().firstValue("Location").orElseThrow());
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    long hint = Long.parseLong(response.headers().firstValue("Poll-After-Ms").orElseThrow());
    assertEquals(hint, job.get("nextPollAfterMs").asLong());
    assertTrue(hint >= 100 && hint <= 30_000);
    assertTrue(Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow()) >= 1);
    assertEquals("queued", job.get("status").asText());
    assertEquals("normal", job.get("priority").asText());
    assertEquals(3, job.get("maxAttempts").asInt());
    assertEquals(0, job.get("attempts").asInt());
    assertTrue(job.get("createdAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    assertEquals(1, TestStack.sql("SELECT 1 FROM jobs WHERE id = $1::uuid", id).size(),
        "the row is committed before the 202");
  }

  @Test
  void noopSucceedsWithItsPayloadAsResult() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\",\"payload\":{\"list\":[1,2,3],\"s\":\"x\"}}");
    JsonNode done = awaitTerminal(KEY_ALPHA, id);
    assertEquals("succeeded", done.get("status").asText());
    assertEquals(parse("{\"list\":[1,2,3],\"s\":\"x\"}"), done.get("result"));
    assertEquals(1, done.get("attempts").asInt());
    assertTrue(done.get("error").isNull());
    assertFalse(done.has("nextPollAfterMs"), "no hint once terminal");
    assertFalse(done.get("startedAt").isNull());
    assertFalse(done.get("finishedAt").isNull());
  }

  @Test
  void payloadDefaultsToAnEmptyObject() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    assertEquals(parse("{}"), awaitTerminal(KEY_ALPHA, id).get("result"));
  }

  @Test
  void sleepReportsProgressWhileRunningAndSucceeds() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":2000,\"steps\":4}}");
    JsonNode running = awaitJob(KEY_ALPHA, id, j -> j.get("status").asText().equals("running")
        && j.get("progress").isObject() && j.get("progress").get("percent").asInt() < 100, Duration.ofSeconds(30));
    int percent = running.get("progress").get("percent").asInt();
    assertTrue(percent >= 25 && percent < 100, "percent " + percent);
    assertTrue(running.get("progress").get("message").asText().matches("step \\d of 4"));
    assertTrue(running.get("nextPollAfterMs").asLong() >= 100);
    JsonNode done = awaitTerminal(KEY_ALPHA, id);
    assertEquals("succeeded", done.get("status").asText());
    assertEquals(2000, done.get("result").get("sleptMs").asInt());
    assertEquals(100, done.get("progress").get("percent").asInt());
  }

  @Test
  void failRetriesWithBackoffAndThenSucceeds() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":2,\"message\":\"boom\"},\"maxAttempts\":3}");
    JsonNode done = awaitTerminal(KEY_ALPHA, id);
    assertEquals("succeeded", done.get("status").asText());
    assertEquals(3, done.get("attempts").asInt());
    assertEquals(3, done.get("result").get("attempt").asInt());
    assertTrue(done.get("error").isNull(), "error is null once succeeded");
  }

  @Test
  void failEndsFailedWithItsErrorAfterItsAttempts() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":5,\"message\":\"always\"},\"maxAttempts\":2}");
    JsonNode done = awaitTerminal(KEY_ALPHA, id);
    assertEquals("failed", done.get("status").asText());
    assertEquals(2, done.get("attempts").asInt());
    assertEquals("injected", done.get("error").get("code").asText());
    assertEquals("always", done.get("error").get("message").asText());
    assertTrue(done.get("result").isNull());
  }

  @Test
  void failedAttemptWithAttemptsLeftShowsItsErrorWhileQueuedAgain() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":1},\"maxAttempts\":2}");
    // The retry waits out its backoff (at least half of CONVEYOR_RETRY_BASE_MS, 500 ms here) queued, with the error.
    JsonNode retried = awaitJob(KEY_ALPHA, id, j -> j.get("attempts").asInt() == 1
        && j.get("status").asText().equals("queued"), Duration.ofSeconds(30));
    assertEquals("injected", retried.get("error").get("code").asText());
    assertEquals("injected failure", retried.get("error").get("message").asText());
    JsonNode done = awaitTerminal(KEY_ALPHA, id);
    assertEquals("succeeded", done.get("status").asText());
    assertEquals(2, done.get("attempts").asInt());
  }

  @Test
  void hashDigestsTheRepeatedText() throws Exception {
    String id = submitted(KEY_ALPHA, "{\"type\":\"hash\",\"payload\":{\"text\":\"héllo\",\"repeat\":1000,"
        + "\"algorithm\":\"SHA-512\"}}");
    JsonNode done = awaitTerminal(KEY_ALPHA, id);
    MessageDigest digest = MessageDigest.getInstance("SHA-512");
    for (int i = 0; i < 1000; i++) {
      digest.update("héllo".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals("succeeded", done.get("status").asText());
    assertEquals(HexFormat.of().formatHex(digest.digest()), done.get("result").get("digest").asText());
  }

  @Test
  void hashDefaultsToSha256OfOneCopy() throws Exception {
    String id = submitted(KEY_ALPHA, "{\"type\":\"hash\",\"payload\":{\"text\":\"abc\"}}");
    byte[] expected = MessageDigest.getInstance("SHA-256").digest("abc".getBytes(StandardCharsets.UTF_8));
    assertEquals(HexFormat.of().formatHex(expected), awaitTerminal(KEY_ALPHA, id).get("result").get("digest").asText());
  }

  @Test
  void statusHasAStrongEtagAnd304WhileUnchanged() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\"," + PollingIT.FAR_FUTURE + "}");
    HttpResponse<String> first = get("/v1/jobs/" + id, KEY_ALPHA);
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertTrue(etag.startsWith("\"") && etag.endsWith("\""), etag);
    assertEquals("no-cache", first.headers().firstValue("Cache-Control").orElseThrow());
    HttpResponse<String> same = Http.send(Http.request("/v1/jobs/" + id, KEY_ALPHA).header("If-None-Match", etag).GET());
    assertEquals(304, same.statusCode(), "the job has not changed");
    assertEquals(etag, same.headers().firstValue("ETag").orElseThrow());
    assertTrue(same.headers().firstValue("Poll-After-Ms").isPresent());
    assertTrue(same.headers().firstValue("Retry-After").isPresent());
    assertEquals("", same.body());

    assertEquals(200, CancelIT.cancel(id, KEY_ALPHA).statusCode());
    HttpResponse<String> after = Http.send(Http.request("/v1/jobs/" + id, KEY_ALPHA).header("If-None-Match", etag).GET());
    assertEquals(200, after.statusCode(), "the state changed, so the old ETag no longer matches");
    assertFalse(etag.equals(after.headers().firstValue("ETag").orElseThrow()));
    assertFalse(after.headers().firstValue("Poll-After-Ms").isPresent(), "no hint once terminal");
    assertEquals("cancelled", json(after).get("status").asText());
  }

  @Test
  void attemptOverItsTimeoutFailsWithCodeTimeout() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":20000,\"steps\":2},"
        + "\"timeoutMs\":1000,\"maxAttempts\":1}");
    JsonNode done = awaitTerminal(KEY_ALPHA, id);
    assertEquals("failed", done.get("status").asText());
    assertEquals("timeout", done.get("error").get("code").asText());
    long ranMs = Duration.between(Instant.parse(done.get("startedAt").asText()),
        Instant.parse(done.get("finishedAt").asText())).toMillis();
    assertTrue(ranMs >= 1000 && ranMs < 5000, "ran " + ranMs + " ms");
  }

  @Test
  void jobDoesNotStartBeforeItsRunAt() {
    Instant runAt = Instant.now().plusSeconds(2);
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\",\"runAt\":\"" + runAt + "\"}");
    JsonNode done = awaitTerminal(KEY_ALPHA, id);
    assertEquals("succeeded", done.get("status").asText());
    assertEquals(dev.conveyor.jobs.Times.format(runAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)),
        done.get("runAt").asText());
    assertTrue(!Instant.parse(done.get("startedAt").asText()).isBefore(runAt.truncatedTo(
        java.time.temporal.ChronoUnit.MILLIS)), "started " + done.get("startedAt") + ", due " + runAt);
  }

  @Test
  void jobsSubmittedTogetherAllFinish() {
    Instant start = Instant.now();
    String[] ids = new String[40];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = submitted(KEY_ALPHA, "{\"type\":\"noop\",\"payload\":{\"i\":" + i + "}}");
    }
    for (int i = 0; i < ids.length; i++) {
      JsonNode done = awaitTerminal(KEY_ALPHA, ids[i]);
      assertEquals("succeeded", done.get("status").asText());
      assertEquals(i, done.get("result").get("i").asInt());
    }
    assertTrue(Duration.between(start, Instant.now()).toSeconds() < 60);
  }

  private static JsonNode parse(String text) {
    return dev.conveyor.jobs.Json.parse(text);
  }
}
