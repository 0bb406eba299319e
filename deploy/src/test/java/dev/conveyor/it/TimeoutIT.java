package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.it.faults.IsolatedStack;
import dev.conveyor.worker.WorkerApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A timeout really ends the attempt: the slot is held until the handler returns, and a deaf handler restarts its worker. */
@ExtendWith(TestStack.class)
class TimeoutIT {
  private IsolatedStack stack;

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void aTimedOutAttemptKeepsItsSlotUntilItsHandlerReturnsAndTheNextAttemptStartsAfterIt() throws Exception {
    stack = IsolatedStack.create("timeout", Map.of("CONVEYOR_WORKER_CONCURRENCY", "1"));
    stack.startApi();
    stack.startWorker("timeout-1");
    Path log = Files.createTempFile(TestStack.home(), "slow-stop", ".log");
    String slow = stack.submitted("{\"type\":\"test.scripted\",\"timeoutMs\":1000,\"maxAttempts\":2,\"payload\":"
        + "{\"sleepMs\":30000,\"honorCancel\":false,\"afterInterruptMs\":1500,\"log\":\"" + log + "\"}}");
    stack.awaitStatus(slow, "running", Duration.ofSeconds(30));
    String next = stack.submitted("{\"type\":\"noop\"}");

    JsonNode failed = stack.awaitStatus(slow, "failed", Duration.ofSeconds(30));
    assertEquals("timeout", failed.get("error").get("code").asText());
    assertEquals(2, failed.get("attempts").asInt());

    Map<String, Long> events = readEvents(log);
    assertTrue(events.get("end1") - events.get("start1") >= 2_400, "attempt 1's handler ran on past its timeout");
    assertTrue(events.get("start2") >= events.get("end1"), "attempt 2 started only once attempt 1's handler returned: "
        + events);
    JsonNode noop = stack.awaitStatus(next, "succeeded", Duration.ofSeconds(30));
    assertTrue(Instant.parse(noop.get("startedAt").asText()).toEpochMilli() >= events.get("end1"),
        "with one slot, the next job waited for the timed-out handler to return");
  }

  @Test
  void aHandlerDeafToItsTimeoutGetsItsWorkerRestartedAndTheOtherJobsHandedBack() throws Exception {
    stack = IsolatedStack.create("deaf", Map.of("CONVEYOR_HANDLER_STOP_MS", "1000"));
    stack.startApi();
    Process worker = stack.startWorker("deaf-1");
    String other = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":60000,\"steps\":600}}");
    stack.awaitStatus(other, "running", Duration.ofSeconds(30));
    String deaf = stack.submitted("{\"type\":\"test.scripted\",\"timeoutMs\":1000,\"maxAttempts\":1,\"payload\":"
        + "{\"sleepMs\":120000,\"honorCancel\":false,\"honorInterrupt\":false}}");

    assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker exits");
    assertEquals(WorkerApplication.EXIT_WEDGED, worker.exitValue());
    assertTrue(stack.logText("deaf-1").contains("ignored its stop signal and interrupt"));
    JsonNode timedOut = stack.awaitStatus(deaf, "failed", Duration.ofSeconds(10));
    assertEquals("timeout", timedOut.get("error").get("code").asText());
    JsonNode handedBack = stack.job(other);
    assertEquals("queued", handedBack.get("status").asText());
    assertEquals(0, handedBack.get("attempts").asInt(), "a job handed back does not spend its attempt");

    stack.startWorker("deaf-2");
    JsonNode again = stack.awaitStatus(other, "running", Duration.ofSeconds(60));
    assertEquals(1, again.get("attempts").asInt(), "it runs again, on the fresh worker, as its first attempt");
  }

  @Test
  void theNextAttemptWaitsForTheTimedOutHandlerEvenWithASlotFree() throws Exception {
    stack = IsolatedStack.create("ordering", Map.of("CONVEYOR_WORKER_CONCURRENCY", "2"));
    stack.startApi();
    stack.startWorker("ordering-1");
    Path log = Files.createTempFile(TestStack.home(), "ordering", ".log");
    String slow = stack.submitted("{\"type\":\"test.scripted\",\"timeoutMs\":1000,\"maxAttempts\":2,\"payload\":"
        + "{\"sleepMs\":30000,\"honorCancel\":false,\"afterInterruptMs\":3000,\"log\":\"" + log + "\"}}");
    stack.awaitStatus(slow, "failed", Duration.ofSeconds(60));
    Map<String, Long> events = readEvents(log);
    assertTrue(events.get("start2") >= events.get("end1"), "attempt 2 waited for attempt 1's handler: " + events);
  }

  @Test
  void aHandlerThatOnlyWatchesTheFlagSeesItsTimeout() {
    stack = IsolatedStack.create("flag", Map.of());
    stack.startApi();
    stack.startWorker("flag-1");
    String id = stack.submitted("{\"type\":\"test.scripted\",\"timeoutMs\":1000,\"maxAttempts\":1,\"payload\":"
        + "{\"sleepMs\":30000,\"honorInterrupt\":false}}");
    JsonNode done = stack.awaitStatus(id, "failed", Duration.ofSeconds(30));
    assertEquals("timeout", done.get("error").get("code").asText());
    long ranMs = Duration.between(Instant.parse(done.get("startedAt").asText()),
        Instant.parse(done.get("finishedAt").asText())).toMillis();
    assertTrue(ranMs < 3_000, "the cancel flag stopped it " + ranMs + " ms after it started");
    assertTrue(!stack.logText("flag-1").contains("ignored its stop"));
  }

  private static Map<String, Long> readEvents(Path log) throws Exception {
    Map<String, Long> events = new HashMap<>();
    for (String line : Files.readAllLines(log)) {
      String[] parts = line.split(" ");
      events.put(parts[0] + parts[2], Long.parseLong(parts[3]));
    }
    return events;
  }

  @Test
  void aTypeMayDeclareADefaultTimeout() {
    stack = IsolatedStack.create("limited", Map.of());
    stack.startApi();
    stack.startWorker("limited-1");
    String id = stack.submitted("{\"type\":\"test.limited\",\"maxAttempts\":1,\"payload\":{\"sleepMs\":10000}}");
    JsonNode done = stack.awaitStatus(id, "failed", Duration.ofSeconds(30));
    assertEquals("timeout", done.get("error").get("code").asText());
    long ranMs = Duration.between(Instant.parse(done.get("startedAt").asText()),
        Instant.parse(done.get("finishedAt").asText())).toMillis();
    assertTrue(ranMs >= 1000 && ranMs < 5000, "stopped after " + ranMs + " ms");
    assertFalse(done.has("timeoutMs"), "the job named no limit of its own");
    List<String> noWedge = List.of(stack.logText("limited-1").split("\n"));
    assertTrue(noWedge.stream().noneMatch(l -> l.contains("ignored its stop")), "a cooperative handler wedges nothing");
  }
}
