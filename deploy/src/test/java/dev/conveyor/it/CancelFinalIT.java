package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.it.faults.IsolatedStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cancel asked while a job runs is final: whatever ends the attempt next (a failure with attempts left, its
 * timeout, its worker stopping or dying), the job ends cancelled and never goes back to the queue.
 */
@ExtendWith(TestStack.class)
class CancelFinalIT {
  private static IsolatedStack stack;
  private Process worker;

  @BeforeAll
  static void start() {
    stack = IsolatedStack.create("cancel", Map.of("CONVEYOR_LEASE_MS", "3000", "CONVEYOR_SHUTDOWN_GRACE_MS", "500"));
    stack.startApi();
  }

  @AfterAll
  static void stopAll() {
    stack.close();
  }

  @AfterEach
  void stopWorker() throws Exception {
    if (worker != null) {
      worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFailureAfterTheCancelEndsCancelledNotRetried() {
    worker = stack.startWorker("cancel-fail");
    String id = runningJob("{\"type\":\"test.scripted\",\"maxAttempts\":3,\"payload\":"
        + "{\"sleepMs\":5000,\"honorCancel\":false,\"fail\":{\"code\":\"late\",\"message\":\"failed anyway\"}}}");
    assertCancelledForGood(id, () -> { });
  }

  @Test
  void aTimeoutAfterTheCancelEndsCancelled() {
    worker = stack.startWorker("cancel-timeout");
    String id = runningJob("{\"type\":\"test.scripted\",\"maxAttempts\":3,\"timeoutMs\":5000,\"payload\":"
        + "{\"sleepMs\":30000,\"honorCancel\":false}}");
    assertCancelledForGood(id, () -> { });
  }

  @Test
  void aShutdownAfterTheCancelEndsCancelledNotHandedBack() {
    worker = stack.startWorker("cancel-shutdown");
    String id = runningJob("{\"type\":\"test.scripted\",\"maxAttempts\":3,\"payload\":"
        + "{\"sleepMs\":30000,\"honorCancel\":false}}");
    assertCancelledForGood(id, () -> IsolatedStack.signal(worker, "TERM"));
  }

  @Test
  void aWorkerLostAfterTheCancelEndsCancelled() {
    worker = stack.startWorker("cancel-lost");
    String id = runningJob("{\"type\":\"test.scripted\",\"maxAttempts\":3,\"payload\":"
        + "{\"sleepMs\":30000,\"honorCancel\":false}}");
    assertCancelledForGood(id, () -> IsolatedStack.signal(worker, "KILL"));
  }

  private String runningJob(String json) {
    String id = stack.submitted(json);
    stack.awaitStatus(id, "running", Duration.ofSeconds(30));
    return id;
  }

  /** Cancels the running job, then ends its attempt with {@code fault}; the job must end cancelled, never queued. */
  private void assertCancelledForGood(String id, Runnable fault) {
    assertEquals(202, stack.post("/v1/jobs/" + id + "/cancel").statusCode());
    fault.run();
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode job;
    do {
      job = stack.job(id);
      seen.add(job.get("status").asText());
      IsolatedStack.pause(50);
    } while (!job.get("status").asText().equals("cancelled") && System.nanoTime() < deadline);
    assertEquals("cancelled", job.get("status").asText(), "statuses seen: " + seen);
    assertTrue(!seen.contains("queued"), "never queued again: " + seen);
    assertEquals(1, job.get("attempts").asInt());
    IsolatedStack.pause(500);
    assertEquals("cancelled", stack.job(id).get("status").asText(), "and it stays so");
    assertEquals(0L, stack.sql("SELECT count(*) FROM job_outbox WHERE job_id = $1::uuid", id).iterator().next()
        .getLong(0), "no record owed");
  }
}
