package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.deploy.Ports;
import dev.conveyor.it.faults.IsolatedStack;
import dev.conveyor.it.faults.TcpProxy;
import dev.conveyor.worker.WorkerApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker cut off from PostgreSQL cannot renew its leases, and the reapers will hand its jobs on: it must have
 * stopped their handlers first, or be gone. Its PostgreSQL goes through a proxy the test cuts; the API reaps.
 */
@ExtendWith(TestStack.class)
class LeaseLossIT {
  private static final long LEASE_MS = 4_000;
  private IsolatedStack stack;
  private TcpProxy postgresql;

  @BeforeEach
  void start() {
    postgresql = TestStack.await(TcpProxy.start(TestStack.vertx(), 5432, Ports.free()));
    stack = IsolatedStack.create("leaseloss", Map.of("CONVEYOR_LEASE_MS", Long.toString(LEASE_MS)));
    stack.startApi();
  }

  @AfterEach
  void stop() {
    stack.close();
    TestStack.await(postgresql.cut());
  }

  private Process cutOffWorker(String id) {
    return stack.startWorker(id, Map.of("CONVEYOR_PG_URL", "postgresql://postgres@127.0.0.1:" + postgresql.port()
        + "/conveyor_it_leaseloss"));
  }

  @Test
  void aWorkerThatCannotRenewStopsItsHandlerBeforeTheJobRunsElsewhere() throws Exception {
    Process worker = cutOffWorker("leaseloss-cut");
    Path log = Files.createTempFile(TestStack.home(), "leaseloss", ".log");
    String id = stack.submitted("{\"type\":\"test.scripted\",\"maxAttempts\":3,\"payload\":{\"sleepMs\":30000,"
        + "\"log\":\"" + log + "\"}}");
    stack.awaitStatus(id, "running", Duration.ofSeconds(30));
    TestStack.await(postgresql.cut());
    stack.awaitJob(id, j -> j.path("error").path("code").asText().equals("worker_lost"), Duration.ofSeconds(20));
    TestStack.await(postgresql.restore());
    JsonNode second = stack.awaitJob(id, j -> j.get("attempts").asInt() == 2 && j.get("status").asText()
        .equals("running"), Duration.ofSeconds(30));
    Map<String, Long> events = awaitEvent(log, "start2");
    assertTrue(events.containsKey("end1"), "the first handler stopped: " + events);
    assertTrue(events.get("end1") < events.get("start2"), "it stopped before the second attempt began: " + events);
    assertTrue(worker.isAlive(), "a worker whose handlers stopped in time carries on");
    assertTrue(stack.logText("leaseloss-cut").contains("leases renewed again"));
    assertEquals("running", second.get("status").asText());
  }

  @Test
  void aWorkerWhoseHandlerWillNotStopIsGoneBeforeItsLeaseRunsOut() throws Exception {
    Process worker = cutOffWorker("leaseloss-deaf");
    Path log = Files.createTempFile(TestStack.home(), "leaseloss-deaf", ".log");
    String id = stack.submitted("{\"type\":\"test.scripted\",\"maxAttempts\":3,\"payload\":{\"sleepMs\":120000,"
        + "\"honorCancel\":false,\"honorInterrupt\":false,\"log\":\"" + log + "\"}}");
    stack.awaitStatus(id, "running", Duration.ofSeconds(30));
    TestStack.await(postgresql.cut());
    assertTrue(worker.waitFor(20, TimeUnit.SECONDS), "the worker exits");
    assertEquals(WorkerApplication.EXIT_LEASES_LOST, worker.exitValue());
    Instant gone = exitLogged(stack.logText("leaseloss-deaf"));
    TestStack.await(postgresql.restore());
    stack.startWorker("leaseloss-next");
    stack.awaitJob(id, j -> j.get("attempts").asInt() == 2 && j.get("status").asText().equals("running"),
        Duration.ofSeconds(30));
    long secondStart = awaitEvent(log, "start2").get("start2");
    assertTrue(secondStart > gone.toEpochMilli(), "the second attempt began after the deaf handler's process died");
  }

  private static Instant exitLogged(String log) {
    String line = log.lines().filter(l -> l.contains("leases run out")).findFirst()
        .orElseThrow(() -> new AssertionError("no exit line in:\n" + log));
    return Instant.parse(line.substring(0, line.indexOf(' ')));
  }

  /** The handler writes its start a moment after the claim shows: wait for the line. */
  private static Map<String, Long> awaitEvent(Path log, String event) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Map<String, Long> events = events(log);
    while (!events.containsKey(event) && System.nanoTime() < deadline) {
      IsolatedStack.pause(50);
      events = events(log);
    }
    assertTrue(events.containsKey(event), "no " + event + " in " + events);
    return events;
  }

  private static Map<String, Long> events(Path log) throws Exception {
    Map<String, Long> events = new HashMap<>();
    for (String line : Files.readAllLines(log)) {
      String[] parts = line.split(" ");
      events.putIfAbsent(parts[0] + parts[2], Long.parseLong(parts[3]));
    }
    return events;
  }
}
