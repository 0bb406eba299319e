package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.it.faults.IsolatedStack;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SIGTERM as orchestrators send it: the API answers what it holds and exits 0; a worker is gone within 25 s. */
@ExtendWith(TestStack.class)
class ShutdownIT {
  private IsolatedStack stack;

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void theApiAnswersHeldRequestsAndExitsZero() throws Exception {
    stack = IsolatedStack.create("apistop", Map.of());
    Process api = stack.startApi();
    stack.startWorker("apistop-1");
    String id = stack.submitted("{\"type\":\"noop\",\"runAt\":\"2099-01-01T00:00:00Z\"}");
    // HTTP/1.1: Java 17's client drops an HTTP/2 stream still in flight when the server announces its shutdown (GOAWAY).
    CompletableFuture<HttpResponse<String>> held = Http.CLIENT.sendAsync(stack.request("/v1/jobs/" + id + "?wait=25")
        .version(HttpClient.Version.HTTP_1_1).GET().build(), HttpResponse.BodyHandlers.ofString());
    IsolatedStack.pause(500);
    long termAt = System.nanoTime();
    IsolatedStack.signal(api, "TERM");
    HttpResponse<String> answer = held.get(10, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode(), "the held request is answered, not dropped");
    assertEquals("queued", Http.json(answer).get("status").asText());
    assertTrue(api.waitFor(15, TimeUnit.SECONDS), "the API exits");
    assertEquals(0, api.exitValue());
    assertTrue((System.nanoTime() - termAt) / 1_000_000 < 10_000, "well within a 30 s grace");
  }

  @Test
  void aWorkerWithTheDefaultsFinishesWhatItCanHandsBackTheRestAndExitsWithin25Seconds() throws Exception {
    stack = IsolatedStack.create("workerstop", Map.of("CONVEYOR_SHUTDOWN_GRACE_MS", ""));
    stack.startApi();
    Process worker = stack.startWorker("workerstop-1");
    String quick = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":3000,\"steps\":3}}");
    String slow = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":120000,\"steps\":1000}}");
    stack.awaitStatus(quick, "running", Duration.ofSeconds(30));
    stack.awaitStatus(slow, "running", Duration.ofSeconds(30));

    long termAt = System.nanoTime();
    IsolatedStack.signal(worker, "TERM");
    assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker exits");
    long tookMs = (System.nanoTime() - termAt) / 1_000_000;
    assertTrue(tookMs <= 25_000, "exited " + tookMs + " ms after SIGTERM");
    assertEquals(0, worker.exitValue());
    assertEquals("succeeded", stack.job(quick).get("status").asText(), "a job that could finish did");
    JsonNode handedBack = stack.job(slow);
    assertEquals("queued", handedBack.get("status").asText());
    assertEquals(0, handedBack.get("attempts").asInt());
    assertEquals("interrupted", handedBack.get("error").get("code").asText());
  }
}
