package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.request;
import static dev.conveyor.it.Http.send;
import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.PollingIT.FAR_FUTURE;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_BETA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** API.md's "Retry": a failed or cancelled job goes around again with a fresh budget of attempts; others are 409. */
@ExtendWith(TestStack.class)
class RetryIT {
  static HttpResponse<String> retry(String id, String key, String idempotencyKey) {
    HttpRequest.Builder builder = request("/v1/jobs/" + id + "/retry", key).POST(HttpRequest.BodyPublishers.noBody());
    if (idempotencyKey != null) {
      builder.header("Idempotency-Key", idempotencyKey);
    }
    return send(builder);
  }

  @Test
  void aFailedJobIsQueuedAgainWithItsBudgetOnceMoreKeepsItsErrorUntilItRunsAndThenSucceeds() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":1},\"maxAttempts\":1}");
    JsonNode failed = Http.awaitTerminal(KEY_ALPHA, id);
    assertEquals("failed", failed.get("status").asText());

    HttpResponse<String> retried = retry(id, KEY_ALPHA, null);
    assertEquals(202, retried.statusCode(), retried.body());
    JsonNode queued = json(retried);
    assertEquals("queued", queued.get("status").asText());
    assertEquals(2, queued.get("maxAttempts").asInt(), "maxAttempts grows by its original value");
    assertEquals(1, queued.get("attempts").asInt(), "attempts keep counting");
    assertEquals("injected", queued.get("error").get("code").asText(), "the last failure stays until it runs");
    assertTrue(queued.get("finishedAt").isNull());
    assertTrue(retried.headers().firstValue("Poll-After-Ms").isPresent());

    JsonNode done = Http.awaitTerminal(KEY_ALPHA, id);
    assertEquals("succeeded", done.get("status").asText(), done.toString());
    assertEquals(2, done.get("attempts").asInt());
    assertTrue(done.get("error").isNull());
  }

  @Test
  void eachRetryAddsTheSubmittedBudgetAgain() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":20},\"maxAttempts\":2}");
    assertEquals("failed", Http.awaitTerminal(KEY_ALPHA, id).get("status").asText());
    assertEquals(4, json(retry(id, KEY_ALPHA, null)).get("maxAttempts").asInt());
    assertEquals("failed", Http.awaitTerminal(KEY_ALPHA, id).get("status").asText());
    assertEquals(6, json(retry(id, KEY_ALPHA, null)).get("maxAttempts").asInt(), "by 2 each time, not doubled");
  }

  @Test
  void aCancelledJobRunsAfterARetryButNotBeforeItsRunAt() {
    java.time.Instant runAt = java.time.Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\",\"runAt\":\"" + runAt + "\"}");
    assertEquals(200, CancelIT.cancel(id, KEY_ALPHA).statusCode());
    HttpResponse<String> retried = retry(id, KEY_ALPHA, null);
    assertEquals(202, retried.statusCode(), retried.body());
    assertFalse(json(retried).get("cancelRequested").asBoolean(), "the cancel is undone by the client's retry");
    JsonNode done = Http.awaitJob(KEY_ALPHA, id, job -> job.get("status").asText().equals("succeeded"),
        Duration.ofSeconds(20));
    assertEquals(1, done.get("attempts").asInt());
    assertFalse(java.time.Instant.parse(done.get("startedAt").asText()).isBefore(runAt), "started at " + done);
  }

  @Test
  void queuedRunningAndSucceededJobsAre409AndUnknownOrAnotherTenantsAre404() {
    String queued = submitted(KEY_ALPHA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    assertProblem(retry(queued, KEY_ALPHA, null), 409);
    String running = submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":3000,\"steps\":3}}");
    Http.awaitJob(KEY_ALPHA, running, job -> job.get("status").asText().equals("running"), Duration.ofSeconds(20));
    assertProblem(retry(running, KEY_ALPHA, null), 409);
    String succeeded = submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    assertEquals("succeeded", Http.awaitTerminal(KEY_ALPHA, succeeded).get("status").asText());
    HttpResponse<String> refused = retry(succeeded, KEY_ALPHA, null);
    assertProblem(refused, 409);
    assertEquals(3, json(Http.get("/v1/jobs/" + succeeded, KEY_ALPHA)).get("maxAttempts").asInt(),
        "nothing changed");

    String failed = submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":5},\"maxAttempts\":1}");
    Http.awaitTerminal(KEY_ALPHA, failed);
    assertProblem(retry(failed, KEY_BETA, null), 404);
    assertProblem(retry("019374c2-6d1e-7cc0-9a8e-3f0b5d1e2a44", KEY_ALPHA, null), 404);
    assertProblem(retry("not-a-job-id", KEY_ALPHA, null), 404);
    assertEquals("failed", json(Http.get("/v1/jobs/" + failed, KEY_ALPHA)).get("status").asText(),
        "another tenant's retry changed nothing");
  }

  @Test
  void anIdempotencyKeyRetriesOnceAndReplaysAfter() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":9},\"maxAttempts\":1}");
    Http.awaitTerminal(KEY_ALPHA, id);
    HttpResponse<String> first = retry(id, KEY_ALPHA, "retry-once-" + id);
    assertEquals(202, first.statusCode(), first.body());
    assertEquals(2, json(first).get("maxAttempts").asInt());
    HttpResponse<String> again = retry(id, KEY_ALPHA, "retry-once-" + id);
    assertTrue(again.statusCode() == 200 || again.statusCode() == 202, again.body());
    assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
    assertEquals(2, json(again).get("maxAttempts").asInt(), "retried once");
    assertEquals(2, TestStack.sql("SELECT max_attempts FROM jobs WHERE id = $1::uuid", id).iterator().next()
        .getInteger(0));

    String other = submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":9},\"maxAttempts\":1}");
    Http.awaitTerminal(KEY_ALPHA, other);
    assertProblem(retry(other, KEY_ALPHA, "retry-once-" + id), 422);
  }
}
