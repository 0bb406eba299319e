package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.it.faults.IsolatedStack;
import dev.conveyor.jobs.JobIds;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What keeps jobs moving with no API process up: the workers' outbox relay sends records owed (a job committed by an
 * API that died before sending), and the reconciler re-sends a queued job whose record Kafka no longer holds.
 */
@ExtendWith(TestStack.class)
class RecoveryIT {
  private static IsolatedStack stack;
  private static String namespace;

  @BeforeAll
  static void start() {
    stack = IsolatedStack.create("recovery", Map.of("CONVEYOR_RECONCILE_AFTER_MS", "1000"));
    namespace = stack.env().get("CONVEYOR_NAMESPACE");
    stack.startWorker("recovery-1");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!stack.logText("recovery-1").contains("runs [") && System.nanoTime() < deadline) {
      IsolatedStack.pause(200);
    }
    assertTrue(stack.logText("recovery-1").contains("runs ["), "the worker started: " + stack.logText("recovery-1"));
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static UUID insertQueuedJob(String namespace) {
    UUID id = JobIds.next();
    stack.sql("INSERT INTO jobs (id, namespace, tenant, type, status, priority, payload, max_attempts, attempt_budget, "
        + "due_at, created_at, updated_at) VALUES ($1, $2, 'alpha', 'noop', 'queued', 'normal', '{\"n\":7}', 3, 3, "
        + "now() - interval '10 seconds', now(), now())", id, namespace);
    return id;
  }

  private static String status(UUID id) {
    return stack.sql("SELECT status FROM jobs WHERE id = $1", id).iterator().next().getString(0);
  }

  private static void awaitSucceeded(UUID id) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!status(id).equals("succeeded") && System.nanoTime() < deadline) {
      IsolatedStack.pause(100);
    }
    assertEquals("succeeded", status(id));
  }

  @Test
  void aJobCommittedByAnApiThatDiedBeforeSendingRunsWithNoApiUp() {
    UUID id = insertQueuedJob(namespace);
    stack.sql("INSERT INTO job_outbox (namespace, job_id, type, due_at) VALUES ($1, $2, 'noop', now())", namespace, id);
    awaitSucceeded(id);
    assertEquals(0L, stack.sql("SELECT count(*) FROM job_outbox WHERE job_id = $1", id).iterator().next().getLong(0));
  }

  @Test
  void aQueuedJobWhoseRecordWasLostIsSentAgain() {
    UUID id = insertQueuedJob(namespace);
    awaitSucceeded(id);
    assertTrue(stack.logText("recovery-1").contains("re-sent"), "the reconciler says what it did");
  }

  @Test
  void aRelayLeavesAnotherNamespacesRowsAlone() {
    UUID elsewhere = insertQueuedJob("elsewhere");
    stack.sql("INSERT INTO job_outbox (namespace, job_id, type, due_at) VALUES ('elsewhere', $1, 'noop', now())",
        elsewhere);
    UUID ours = insertQueuedJob(namespace);
    stack.sql("INSERT INTO job_outbox (namespace, job_id, type, due_at) VALUES ($1, $2, 'noop', now())", namespace, ours);
    awaitSucceeded(ours);
    assertEquals("queued", status(elsewhere), "the relay that sent ours in the same sweeps left the other one");
    assertEquals(1L, stack.sql("SELECT count(*) FROM job_outbox WHERE job_id = $1", elsewhere).iterator().next()
        .getLong(0));
  }

  @Test
  void aWorkerAloneReapsALeaseItsDeadOwnerLeftAndRunsTheJobAgain() {
    UUID id = JobIds.next();
    stack.sql("INSERT INTO jobs (id, namespace, tenant, type, status, priority, payload, attempts, max_attempts, "
        + "attempt_budget, created_at, started_at, updated_at, worker_id, lease_owner, lease_until) VALUES ($1, $2, "
        + "'alpha', 'noop', 'running', 'normal', '{}', 1, 3, 3, now(), now(), now(), 'gone', 'gone/owner', "
        + "now() - interval '1 second')",
        id, namespace);
    awaitSucceeded(id);
    assertEquals(2, stack.sql("SELECT attempts FROM jobs WHERE id = $1", id).iterator().next().getInteger(0),
        "the lost attempt counted; the second ran here");
  }
}
