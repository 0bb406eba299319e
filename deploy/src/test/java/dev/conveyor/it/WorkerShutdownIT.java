package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.api.ApiApplication;
import dev.conveyor.config.Config;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker told to stop finishes what it can within its grace period and hands the rest back to the queue
 * without using an attempt; another worker then runs it. Runs in a namespace and database of its own, so the
 * stack's own worker cannot take the job.
 */
@ExtendWith(TestStack.class)
class WorkerShutdownIT {
  private Process worker;
  private ApiApplication api;

  @Test
  void jobRunningPastTheGracePeriodIsHandedBackAndRunsElsewhere() throws Exception {
    Map<String, String> env = new HashMap<>(TestStack.env());
    env.put("CONVEYOR_NAMESPACE", env.get("CONVEYOR_NAMESPACE") + "sd");
    env.put("CONVEYOR_PG_URL", "postgresql://postgres@127.0.0.1:5432/conveyor_it_shutdown");
    env.put("CONVEYOR_HTTP_PORT", Integer.toString(Integer.parseInt(env.get("CONVEYOR_HTTP_PORT")) + 1));
    env.put("CONVEYOR_SHUTDOWN_GRACE_MS", "1000");
    api = TestStack.await(ApiApplication.start(TestStack.vertx(), Config.from(env), TestStack.registry()));
    String base = "http://127.0.0.1:" + env.get("CONVEYOR_HTTP_PORT");

    worker = WorkerGroupIT.startWorker("first", env);
    String id = submitOnceTheWorkerDeclaredItsTypes(base);
    awaitJob(base, id, j -> j.get("status").asText().equals("running"), Duration.ofSeconds(60));

    worker.destroy();
    assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker exits after its grace period");
    JsonNode handedBack = awaitJob(base, id, j -> true, Duration.ofSeconds(1));
    assertEquals("queued", handedBack.get("status").asText());
    assertEquals(0, handedBack.get("attempts").asInt(), "the cut-short attempt does not count");
    assertEquals("interrupted", handedBack.get("error").get("code").asText());

    worker = WorkerGroupIT.startWorker("second", env);
    JsonNode done = awaitJob(base, id, j -> j.get("status").asText().equals("succeeded"), Duration.ofSeconds(60));
    assertEquals(1, done.get("attempts").asInt());
    assertEquals(4000, done.get("result").get("sleptMs").asInt());
  }

  @AfterEach
  void stop() throws Exception {
    if (worker != null) {
      worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (api != null) {
      TestStack.await(api.stop());
    }
  }

  /** The database is new: "sleep" is a known type only once the worker has started and declared it. */
  private static String submitOnceTheWorkerDeclaredItsTypes(String base) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    HttpResponse<String> response;
    do {
      response = Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs"))
          .header("Authorization", "Bearer " + TestStack.KEY_ALPHA).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"type\":\"sleep\",\"payload\":{\"ms\":4000,\"steps\":40},\"maxAttempts\":1}")));
      if (response.statusCode() == 202) {
        return Http.json(response).get("id").asText();
      }
      assertEquals(422, response.statusCode(), response.body());
      Http.pause(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the worker never declared its types: " + response.body());
  }

  private static JsonNode awaitJob(String base, String id, java.util.function.Predicate<JsonNode> condition,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    do {
      last = Http.json(Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id))
          .header("Authorization", "Bearer " + TestStack.KEY_ALPHA).GET()));
      if (condition.test(last)) {
        return last;
      }
      Http.pause(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("job did not reach the expected state; last: " + last);
  }
}
