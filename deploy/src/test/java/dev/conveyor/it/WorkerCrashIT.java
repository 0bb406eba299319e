package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.it.faults.IsolatedStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Workers that die (SIGKILL, or a job that kills them): their jobs come back within the lease and end once. */
@ExtendWith(TestStack.class)
class WorkerCrashIT {
  private static final long LEASE_MS = 3_000;
  private IsolatedStack stack;

  @BeforeEach
  void start() {
    stack = IsolatedStack.create("crash", Map.of("CONVEYOR_LEASE_MS", Long.toString(LEASE_MS)));
    stack.startApi();
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void jobOfAWorkerKilledMidJobIsRequeuedWithinTheLeaseAndRunsElsewhere() {
    Process first = stack.startWorker("crash-a");
    String id = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":3000,\"steps\":3},\"maxAttempts\":3}");
    stack.awaitStatus(id, "running", Duration.ofSeconds(30));

    IsolatedStack.signal(first, "KILL");
    long killedAt = System.nanoTime();
    JsonNode requeued = stack.awaitJob(id, j -> j.path("error").path("code").asText().equals("worker_lost"),
        Duration.ofSeconds(15));
    long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
    assertTrue(tookMs <= LEASE_MS + 3_500, "requeued " + tookMs + " ms after the kill");
    assertEquals("queued", requeued.get("status").asText());
    assertEquals(1, requeued.get("attempts").asInt(), "the lost attempt counts");

    stack.startWorker("crash-b");
    JsonNode done = stack.awaitStatus(id, "succeeded", Duration.ofSeconds(60));
    assertEquals(2, done.get("attempts").asInt());
    assertEquals(3000, done.get("result").get("sleptMs").asInt());
    assertTrue(done.get("error").isNull());
    assertEquals("crash-b", stack.sql("SELECT worker_id FROM jobs WHERE id = $1::uuid", id).iterator().next()
        .getString(0));
  }

  @Test
  void aJobThatKeepsKillingItsWorkersEndsFailedWithWorkerLostAndItsStreamEnds() throws Exception {
    String id = submitWithAWorkerRunning(
        "{\"type\":\"test.scripted\",\"payload\":{\"crashAttempts\":99},\"maxAttempts\":2}");
    CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> events = Http.CLIENT.sendAsync(
        stack.request("/v1/jobs/" + id + "/events").timeout(Duration.ofSeconds(90)).GET().build(),
        HttpResponse.BodyHandlers.ofLines());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    Process worker = null;
    JsonNode job = stack.job(id);
    int started = 1;
    while (!job.get("status").asText().matches("succeeded|failed|cancelled") && System.nanoTime() < deadline) {
      if (worker == null || !worker.isAlive()) {
        worker = stack.startWorker("crashloop-" + ++started);
      }
      IsolatedStack.pause(200);
      job = stack.job(id);
    }
    assertEquals("failed", job.get("status").asText(), job.toString());
    assertEquals("worker_lost", job.get("error").get("code").asText());
    assertEquals(2, job.get("attempts").asInt());

    List<String> lines = CompletableFuture.supplyAsync(() -> {
      try {
        return events.get(30, TimeUnit.SECONDS).body().collect(Collectors.toList());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).get(30, TimeUnit.SECONDS);
    String last = lines.stream().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElseThrow();
    assertTrue(last.contains("\"status\":\"failed\""), "the event stream ends with the terminal state: " + last);
  }

  private String submitWithAWorkerRunning(String json) throws Exception {
    Process declaring = stack.startWorker("declarer", Map.of("CONVEYOR_TEST_ONLY_TYPES", "true"));
    try {
      return stack.submitted(json);
    } finally {
      declaring.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
