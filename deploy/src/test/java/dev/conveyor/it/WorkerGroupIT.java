package dev.conveyor.it;

import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.deploy.JavaProcess;
import dev.conveyor.queue.Topics;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Worker processes started separately join one consumer group and share the jobs; leaving hands them back. */
@ExtendWith(TestStack.class)
class WorkerGroupIT {
  private final List<Process> workers = new ArrayList<>();

  @Test
  void twoWorkerProcessesShareTheJobs() throws Exception {
    workers.add(startWorker("worker-a", TestStack.env()));
    workers.add(startWorker("worker-b", TestStack.env()));
    awaitGroupMembers(3);

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 36; i++) {
      ids.add(Http.submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":150,\"steps\":1}}"));
    }
    for (String id : ids) {
      JsonNode done = Http.awaitTerminal(KEY_ALPHA, id);
      assertEquals("succeeded", done.get("status").asText());
      assertEquals(1, done.get("attempts").asInt(), "each job ran exactly once: " + done);
    }
    assertEquals(36L, TestStack.sql("SELECT count(*) FROM jobs WHERE id::text = ANY($1::text[]) AND attempts = 1 "
        + "AND status = 'succeeded'", (Object) ids.toArray(String[]::new)).iterator().next().getLong(0),
        "one attempt per job");
    Set<String> ranOn = new HashSet<>();
    TestStack.sql("SELECT DISTINCT worker_id FROM jobs WHERE id::text = ANY($1::text[])",
        (Object) ids.toArray(String[]::new)).forEach(row -> ranOn.add(row.getString(0)));
    assertTrue(ranOn.contains("worker-a") && ranOn.contains("worker-b"), "jobs ran on " + ranOn);

    for (Process worker : workers) {
      worker.destroy();
      assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "worker stops on SIGTERM");
    }
    awaitGroupMembers(1);
    String after = Http.submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    assertEquals("succeeded", Http.awaitTerminal(KEY_ALPHA, after).get("status").asText());
  }

  @AfterEach
  void stopWorkers() {
    workers.forEach(Process::destroyForcibly);
  }

  static Process startWorker(String id, Map<String, String> stackEnv) throws Exception {
    Map<String, String> env = new HashMap<>(stackEnv);
    env.put("CONVEYOR_WORKER_ID", id);
    File log = TestStack.home().resolve(id + ".log").toFile();
    return JavaProcess.start(JavaProcess.builder(JavaProcess.ownClasspath(), List.of("-Xmx256m"),
        "dev.conveyor.worker.WorkerMain", List.of(), env), log);
  }

  private static void awaitGroupMembers(int expected) throws Exception {
    String group = new Topics(TestStack.env().get("CONVEYOR_NAMESPACE")).workerGroup();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestStack.env().get("CONVEYOR_KAFKA_BOOTSTRAP")))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int members = -1;
      while (System.nanoTime() < deadline) {
        var description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        members = description.members().size();
        // Stable, and every member has taken up partitions (the consumer protocol assigns them one by one).
        if (members == expected && description.groupState() == GroupState.STABLE
            && description.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
          return;
        }
        Http.pause(200);
      }
      throw new AssertionError("consumer group has " + members + " members, expected " + expected);
    }
  }
}
