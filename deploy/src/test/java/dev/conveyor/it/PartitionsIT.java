package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.it.faults.IsolatedStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Partitions move between workers fast: a dead worker's reach the survivors within seconds, and a worker whose
 * session expired (frozen, then thawed) drops them without committing, keeps its running job, and carries on.
 */
@ExtendWith(TestStack.class)
class PartitionsIT {
  private IsolatedStack stack;

  @BeforeEach
  void start() {
    stack = IsolatedStack.create("partitions", Map.of("CONVEYOR_LEASE_MS", "20000"));
    stack.startApi();
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void aDeadWorkersPartitionsReachTheSurvivorWithinSeconds() {
    Process doomed = stack.startWorker("partitions-doomed");
    stack.startWorker("partitions-survivor");
    awaitBothRunJobs();

    IsolatedStack.signal(doomed, "KILL");
    long killedAt = System.nanoTime();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      ids.add(stack.submitted("{\"type\":\"noop\"}"));
    }
    for (String id : ids) {
      stack.awaitStatus(id, "succeeded", Duration.ofSeconds(30));
    }
    long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
    assertTrue(tookMs < 8_000, "every partition served again " + tookMs + " ms after the kill (session 3 s)");
  }

  @Test
  void aWorkerWhoseSessionExpiredDropsItsPartitionsKeepsItsJobAndCarriesOn() {
    Process frozen = stack.startWorker("partitions-frozen");
    stack.startBuiltinWorker("partitions-other");
    awaitBothRunJobs();
    // Only the frozen worker runs the scripted type, so the job it keeps through the freeze is surely its own.
    String running = stack.submitted("{\"type\":\"test.scripted\",\"payload\":{\"sleepMs\":9000}}");
    stack.awaitStatus(running, "running", Duration.ofSeconds(30));

    IsolatedStack.signal(frozen, "STOP");
    IsolatedStack.pause(7_000);
    String meanwhile = stack.submitted("{\"type\":\"noop\"}");
    stack.awaitStatus(meanwhile, "succeeded", Duration.ofSeconds(15));
    IsolatedStack.signal(frozen, "CONT");

    assertEquals(1, stack.awaitStatus(running, "succeeded", Duration.ofSeconds(60)).get("attempts").asInt(),
        "the running job ended once, under its lease");
    assertTrue(frozen.isAlive(), "the thawed worker carries on");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!stack.logText("partitions-frozen").contains("lost partitions") && System.nanoTime() < deadline) {
      IsolatedStack.pause(200);
    }
    assertTrue(stack.logText("partitions-frozen").contains("lost partitions"), "it noticed it lost them");
    List<String> after = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      after.add(stack.submitted("{\"type\":\"noop\"}"));
    }
    for (String id : after) {
      assertEquals(1, stack.awaitStatus(id, "succeeded", Duration.ofSeconds(30)).get("attempts").asInt());
    }
  }

  /** Both workers have joined and been given partitions: jobs run on each. */
  private void awaitBothRunJobs() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        ids.add(stack.submitted("{\"type\":\"noop\"}"));
      }
      ids.forEach(id -> stack.awaitStatus(id, "succeeded", Duration.ofSeconds(30)));
      if (stack.sql("SELECT count(DISTINCT worker_id) FROM jobs WHERE type = 'noop'").iterator().next().getLong(0)
          == 2) {
        return;
      }
    }
    throw new AssertionError("the two workers never both ran jobs");
  }
}
