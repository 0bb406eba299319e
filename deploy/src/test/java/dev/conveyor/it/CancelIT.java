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
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Cancel: queued ends at once (200), running stops cooperatively (202), terminal cannot (409). */
@ExtendWith(TestStack.class)
class CancelIT {

  static HttpResponse<String> cancel(String id, String key) {
    return send(request("/v1/jobs/" + id + "/cancel", key).POST(HttpRequest.BodyPublishers.noBody()));
  }

  @Test
  void queuedJobIsCancelledAtOnceAndNeverStarts() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    HttpResponse<String> response = cancel(id, KEY_ALPHA);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("cancelled", json(response).get("status").asText());
    assertTrue(json(response).get("cancelRequested").asBoolean());
    assertTrue(response.headers().firstValue("Poll-After-Ms").isEmpty());
    JsonNode later = json(Http.get("/v1/jobs/" + id, KEY_ALPHA));
    assertEquals("cancelled", later.get("status").asText());
    assertEquals(0, later.get("attempts").asInt());
    assertTrue(later.get("startedAt").isNull());
  }

  @Test
  void runningJobLearnsPromptlyAndEndsCancelled() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":60000,\"steps\":600}}");
    Http.awaitJob(KEY_ALPHA, id, j -> j.get("status").asText().equals("running"), Duration.ofSeconds(30));
    long start = System.nanoTime();
    HttpResponse<String> response = cancel(id, KEY_ALPHA);
    assertEquals(202, response.statusCode(), response.body());
    assertTrue(json(response).get("cancelRequested").asBoolean());
    assertEquals("running", json(response).get("status").asText());
    JsonNode done = Http.awaitTerminal(KEY_ALPHA, id);
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals("cancelled", done.get("status").asText());
    assertTrue(tookMs < 3000, "stopped " + tookMs + " ms after the request");
    assertProblem(cancel(id, KEY_ALPHA), 409);
  }

  @Test
  void secondCancelOfARunningJobIsStill202() {
    // One step of 4 s: the handler looks at the flag only before it, so the job stays running between the two calls.
    String id = submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":4000,\"steps\":1}}");
    Http.awaitJob(KEY_ALPHA, id, j -> j.get("status").asText().equals("running"), Duration.ofSeconds(30));
    HttpResponse<String> first = cancel(id, KEY_ALPHA);
    HttpResponse<String> second = cancel(id, KEY_ALPHA);
    assertEquals(202, first.statusCode(), first.body());
    assertEquals(202, second.statusCode(), second.body());
    assertTrue(json(second).get("cancelRequested").asBoolean());
    assertEquals(first.headers().firstValue("ETag"), second.headers().firstValue("ETag"), "asking again changes nothing");
    assertEquals("succeeded", Http.awaitTerminal(KEY_ALPHA, id).get("status").asText(),
        "a handler that finishes before it looks ends in its real final state");
  }

  @Test
  void terminalJobCannotBeCancelled() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    Http.awaitTerminal(KEY_ALPHA, id);
    assertProblem(cancel(id, KEY_ALPHA), 409);
  }

  @Test
  void anotherTenantsOrAnUnknownJobIsNotFound() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    assertProblem(cancel(id, KEY_BETA), 404);
    assertEquals("queued", json(Http.get("/v1/jobs/" + id, KEY_ALPHA)).get("status").asText(), "nothing changed");
    assertProblem(cancel("019374c2-6d1e-7cc0-9a8e-3f0b5d1e2a44", KEY_ALPHA), 404);
    assertProblem(cancel("nope", KEY_ALPHA), 404);
  }
}
