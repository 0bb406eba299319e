package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.it.faults.IsolatedStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records reach only workers that run their type: one topic per type, each worker on the topics of its types. */
@ExtendWith(TestStack.class)
class RoutingIT {
  private IsolatedStack stack;

  @BeforeEach
  void start() {
    stack = IsolatedStack.create("routing", Map.of("CONVEYOR_RECONCILE_AFTER_MS", "1000"));
    stack.startApi();
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void aJobNoRunningWorkerHandlesWaitsQueuedWithoutChurnAndStartsWhenOneJoins() throws Exception {
    Process declarer = stack.startWorker("routing-declarer", Map.of("CONVEYOR_TEST_ONLY_TYPES", "true"));
    String id = stack.submitted("{\"type\":\"test.scripted\",\"payload\":{\"sleepMs\":2000}}");
    IsolatedStack.signal(declarer, "TERM");
    assertTrue(declarer.waitFor(30, TimeUnit.SECONDS));
    String waiting = stack.submitted("{\"type\":\"test.scripted\"}");

    // A worker without the type runs meanwhile, and the reconciler looks every half second: still nothing moves.
    stack.startBuiltinWorker("routing-others");
    long records = stack.recordsOf("test.scripted");
    IsolatedStack.pause(12_000);
    assertEquals("queued", stack.job(waiting).get("status").asText());
    assertEquals(records, stack.recordsOf("test.scripted"), "no record churns while no worker runs the type");
    assertFalse(stack.logText("routing-others").contains("skipping record"), "no record reached the wrong worker");
    assertEquals(0L, stack.sql("SELECT count(*) FROM job_outbox").iterator().next().getLong(0));
    JsonNode types = Http.json(stack.get("/v1/job-types"));
    JsonNode scripted = null;
    for (JsonNode item : types.get("items")) {
      if (item.get("type").asText().equals("test.scripted")) {
        scripted = item;
      }
    }
    assertTrue(scripted != null && scripted.get("queued").asInt() >= 1, "the type stays known: " + types);

    stack.startWorker("routing-joiner", Map.of("CONVEYOR_TEST_ONLY_TYPES", "true"));
    assertEquals(1, stack.awaitStatus(waiting, "succeeded", Duration.ofSeconds(60)).get("attempts").asInt());
    stack.awaitStatus(id, "succeeded", Duration.ofSeconds(60));
  }

  @Test
  void workersWithDifferentTypesShareTheClusterAndGetOnlyTheirOwnJobs() {
    stack.startWorker("routing-tests", Map.of("CONVEYOR_TEST_ONLY_TYPES", "true"));
    stack.startBuiltinWorker("routing-builtins");
    List<String> noops = new ArrayList<>();
    List<String> scripted = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      noops.add(stack.submitted("{\"type\":\"noop\"}"));
      scripted.add(stack.submitted("{\"type\":\"test.scripted\"}"));
    }
    for (String id : noops) {
      stack.awaitStatus(id, "succeeded", Duration.ofSeconds(60));
    }
    for (String id : scripted) {
      stack.awaitStatus(id, "succeeded", Duration.ofSeconds(60));
    }
    stack.sql("SELECT type, worker_id, attempts FROM jobs").forEach(row -> {
      assertEquals(row.getString(0).equals("noop") ? "routing-builtins" : "routing-tests", row.getString(1));
      assertEquals(1, row.getInteger(2), "no job was handed back and forth");
    });
    assertEquals(10, stack.recordsOf("noop"), "one record per job, none handed back and forth");
    assertEquals(10, stack.recordsOf("test.scripted"));
    assertFalse(stack.logText("routing-tests").contains("skipping record"));
    assertFalse(stack.logText("routing-builtins").contains("skipping record"));
  }
}
