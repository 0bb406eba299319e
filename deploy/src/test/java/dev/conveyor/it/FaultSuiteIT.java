package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.deploy.KafkaCluster;
import dev.conveyor.it.faults.IsolatedStack;
import dev.conveyor.it.faults.LocalServices;
import dev.conveyor.queue.Topics;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The promise of a 202 under faults, on real processes: a Kafka cluster of three brokers (replication 3, min ISR 2),
 * an API and three workers as child JVMs, the machine's PostgreSQL and Redis, a steady mixed load, and faults
 * injected one after another: workers SIGKILLed mid-job (more than once, two at a time too), the API SIGKILLed while
 * accepting, a broker killed and brought back, Redis and PostgreSQL restarted. Every accepted job must end in exactly
 * one terminal state within the lease (plus its own run time) after the last fault. It runs last, since it restarts
 * the services every other test shares.
 */
@ExtendWith(TestStack.class)
@Order(Integer.MAX_VALUE)
class FaultSuiteIT {
  private static final Logger LOG = Logger.getLogger(FaultSuiteIT.class.getName());
  private static final long LEASE_MS = 5_000;
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Map<String, String> accepted = new ConcurrentHashMap<>();
  private final Map<String, Long> acceptedAt = new ConcurrentHashMap<>();
  private final List<String> unsent = Collections.synchronizedList(new ArrayList<>());
  private final List<String> killedMidJob = Collections.synchronizedList(new ArrayList<>());
  private final Map<Integer, AtomicInteger> refused = new ConcurrentHashMap<>();
  private final AtomicInteger unreachable = new AtomicInteger();
  private final AtomicInteger withoutRetryAfter = new AtomicInteger();
  private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
  private final List<String> faults = Collections.synchronizedList(new ArrayList<>());

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES) // a three-broker cluster, restarted twice, on a slow machine
  void everyAcceptedJobEndsInExactlyOneTerminalStateWhateverCrashes() throws Exception {
    Path home = Files.createDirectories(TestStack.home().resolve("fault-suite"));
    try (KafkaCluster kafka = KafkaCluster.start(home.resolve("kafka"), 3, "256m");
        IsolatedStack stack = IsolatedStack.create("faults", Map.of(
            "CONVEYOR_KAFKA_BOOTSTRAP", kafka.bootstrap(),
            "CONVEYOR_LEASE_MS", Long.toString(LEASE_MS),
            "CONVEYOR_RETRY_BASE_MS", "200",
            "CONVEYOR_SHUTDOWN_GRACE_MS", "2000"))) {
      Process[] workers = new Process[3];
      Process[] api = {stack.startApi()};
      logTerminalMoves(stack);
      for (int i = 0; i < workers.length; i++) {
        workers[i] = stack.startWorker("fault-w" + i);
      }
      stack.submitted("{\"type\":\"noop\"}");
      assertReplicated(stack, kafka.bootstrap());

      AtomicBoolean loading = new AtomicBoolean(true);
      Thread load = new Thread(() -> load(stack, loading), "fault-load");
      load.start();
      pause(5_000);

      fault("SIGKILL worker 0 mid-job", () -> killMidJob(stack, workers[0], "fault-w0"));
      pause(3_000);
      workers[0] = stack.startWorker("fault-w0");
      pause(5_000);

      fault("SIGKILL the API while it accepts jobs", () -> IsolatedStack.signal(api[0], "KILL"));
      api[0] = stack.startApi();
      pause(5_000);

      fault("SIGKILL Kafka broker 1, back after 10 s", () -> kafka.node(0).kill());
      pause(10_000);
      kafka.node(0).restart();
      pause(5_000);

      fault("Kafka cluster down: jobs committed, then the API SIGKILLed before it could send them", () -> {
        kafka.killAll();
        long from = System.currentTimeMillis();
        pause(3_000);
        IsolatedStack.signal(api[0], "KILL");
        long to = System.currentTimeMillis();
        acceptedAt.forEach((id, at) -> {
          if (at >= from && at <= to) {
            unsent.add(id);
          }
        });
        kafka.restartAll();
        api[0] = stack.startApi();
      });
      pause(5_000);

      fault("SIGKILL worker 1 mid-job", () -> killMidJob(stack, workers[1], "fault-w1"));
      pause(2_000);
      workers[1] = stack.startWorker("fault-w1");
      pause(5_000);

      fault("restart Redis (down 3 s)", () -> LocalServices.restartRedis(3_000).ifPresent(this::skip));
      pause(5_000);
      fault("restart PostgreSQL (down 3 s)", () -> LocalServices.restartPostgresql(3_000).ifPresent(this::skip));
      pause(5_000);

      fault("SIGKILL workers 0 and 2 together, mid-job", () -> {
        killMidJob(stack, workers[0], "fault-w0");
        killMidJob(stack, workers[2], "fault-w2");
      });
      pause(2_000);
      workers[0] = stack.startWorker("fault-w0");
      workers[2] = stack.startWorker("fault-w2");
      long lastFaultAt = System.nanoTime();
      pause(5_000);
      loading.set(false);
      load.join();

      Map<String, JsonNode> firstTerminal = awaitAllTerminal(stack, Duration.ofMillis(LEASE_MS + 60_000));
      long settledMs = (System.nanoTime() - lastFaultAt) / 1_000_000;
      Report report = report(stack, firstTerminal);
      report.print(home.resolve("counts.txt"), settledMs);
      assertEquals(0, report.lost, report.toString());
      assertEquals(0, report.stuck, report.toString());
      assertEquals(0L, report.doubleTerminal, report.toString());
      assertEquals(accepted.size(), report.terminal, report.toString());
      assertEquals(0, report.unfinishedInDatabase, "every job in the database ended, with a 202 seen or not");
      assertEquals(report.jobsInDatabase, report.endedOnce, "every job moved into a terminal state exactly once");
      assertTrue(!unsent.isEmpty(), "jobs were committed while Kafka was down");
      assertEquals(0, unsent.stream().filter(id -> !firstTerminal.containsKey(id)).count(),
          "the jobs committed by the API that died before sending them all ended");
      assertTrue(killedMidJob.size() >= 2, "workers were killed while running jobs: " + killedMidJob);
      for (String id : killedMidJob) {
        JsonNode job = firstTerminal.get(id);
        assertTrue(job != null && job.get("attempts").asInt() >= 2, "a job cut short by a kill ran again: " + job);
      }
      assertTrue(settledMs <= LEASE_MS + 45_000, "all ended " + settledMs + " ms after the last fault");
      assertEquals(0, refused.getOrDefault(500, new AtomicInteger()).get(), "no submit answered 500: " + refused);
      assertEquals(0, withoutRetryAfter.get(), "every 503 says when to retry");
      assertTrue(accepted.size() > 200, "a steady load ran: " + accepted.size());
      for (String process : List.of("api", "fault-w0", "fault-w1", "fault-w2")) {
        long frames = stack.logText(process).lines().filter(l -> l.startsWith("\tat ")).count();
        assertTrue(frames < 100, process + " logged " + frames + " stack frames; outages should be logged once");
      }
    }
  }

  /**
   * Waits until the worker runs a sleep job (at most 60 s: on a slow day a worker just started may take longer than
   * 15 s to be given partitions, as three join one after another), SIGKILLs it, then notes the jobs it left running:
   * those were cut short, and must run again.
   */
  private void killMidJob(IsolatedStack stack, Process worker, String workerId) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && stack.sql("SELECT count(*) FROM jobs WHERE status = 'running' "
        + "AND type = 'sleep' AND worker_id = $1", workerId).iterator().next().getLong(0) == 0) {
      pause(50);
    }
    IsolatedStack.signal(worker, "KILL");
    worker.waitFor(10, TimeUnit.SECONDS);
    List<String> cutShort = new ArrayList<>();
    stack.sql("SELECT id::text FROM jobs WHERE status = 'running' AND worker_id = $1", workerId)
        .forEach(row -> cutShort.add(row.getString(0)));
    assertTrue(!cutShort.isEmpty(), workerId + " ran no job when it was killed");
    cutShort.stream().filter(accepted::containsKey).forEach(killedMidJob::add);
  }

  /** A test-only trigger in this stack's own database: every move into a terminal state leaves a row. */
  private static void logTerminalMoves(IsolatedStack stack) {
    stack.script("CREATE TABLE test_terminal_moves (job_id uuid NOT NULL, status text NOT NULL, "
        + "at timestamptz NOT NULL DEFAULT clock_timestamp());"
        + "CREATE FUNCTION test_log_terminal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + "IF NEW.status IN ('succeeded', 'failed', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status THEN "
        + "INSERT INTO test_terminal_moves (job_id, status) VALUES (NEW.id, NEW.status); END IF; RETURN NEW; END $$;"
        + "CREATE TRIGGER test_terminal AFTER UPDATE OF status ON jobs FOR EACH ROW "
        + "EXECUTE FUNCTION test_log_terminal();");
  }

  private void fault(String name, ThrowingRunnable fault) throws Exception {
    LOG.info("fault: " + name);
    faults.add(name);
    fault.run();
  }

  private void skip(String why) {
    LOG.warning("fault step skipped: " + why);
    skipped.add(why);
  }

  /** Submits a mix of noop, sleeps and failing-then-succeeding jobs, about 25 per second, until told to stop. */
  private void load(IsolatedStack stack, AtomicBoolean loading) {
    while (loading.get()) {
      int pick = ThreadLocalRandom.current().nextInt(10);
      String body = pick < 5 ? "{\"type\":\"noop\"}"
          : pick < 8 ? "{\"type\":\"sleep\",\"payload\":{\"ms\":" + (200 + ThreadLocalRandom.current().nextInt(1300))
              + ",\"steps\":3}}"
          : "{\"type\":\"fail\",\"payload\":{\"times\":1},\"maxAttempts\":3}";
      try {
        HttpResponse<String> response = CLIENT.send(stack.request("/v1/jobs").timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 202) {
          String id = Http.json(response).get("id").asText();
          accepted.put(id, body);
          acceptedAt.put(id, System.currentTimeMillis());
        } else {
          refused.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
          if (response.statusCode() == 503 && response.headers().firstValue("Retry-After").isEmpty()) {
            withoutRetryAfter.incrementAndGet();
          }
        }
      } catch (Exception down) {
        unreachable.incrementAndGet();
      }
      pause(40);
    }
  }

  /** Reads every accepted job until all are terminal or the deadline passes; keeps the first terminal state seen. */
  private Map<String, JsonNode> awaitAllTerminal(IsolatedStack stack, Duration within) {
    Map<String, JsonNode> terminal = new LinkedHashMap<>();
    long deadline = System.nanoTime() + within.toNanos();
    while (terminal.size() < accepted.size() && System.nanoTime() < deadline) {
      for (String id : accepted.keySet()) {
        if (!terminal.containsKey(id)) {
          Optional<JsonNode> job = read(stack, id);
          if (job.isPresent() && isTerminal(job.get())) {
            terminal.put(id, job.get());
          }
        }
      }
      pause(500);
    }
    return terminal;
  }

  private Report report(IsolatedStack stack, Map<String, JsonNode> firstTerminal) {
    Report report = new Report();
    report.accepted = accepted.size();
    report.jobsInDatabase = stack.sql("SELECT count(*) FROM jobs").iterator().next().getLong(0);
    report.unfinishedInDatabase = stack.sql("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")
        .iterator().next().getLong(0);
    report.endedOnce = stack.sql("SELECT count(*) FROM (SELECT job_id FROM test_terminal_moves GROUP BY job_id "
        + "HAVING count(*) = 1) once").iterator().next().getLong(0);
    report.doubleTerminal += stack.sql("SELECT count(*) FROM (SELECT job_id FROM test_terminal_moves GROUP BY job_id "
        + "HAVING count(*) > 1) twice").iterator().next().getLong(0);
    for (String id : accepted.keySet()) {
      Optional<JsonNode> now = read(stack, id);
      if (now.isEmpty()) {
        report.lost++;
      } else if (!isTerminal(now.get())) {
        report.stuck++;
        LOG.warning("stuck: " + now.get());
      } else {
        report.terminal++;
        report.byStatus.merge(now.get().get("status").asText(), 1, Integer::sum);
        JsonNode first = firstTerminal.get(id);
        if (first != null && (!first.get("status").equals(now.get().get("status"))
            || !first.get("finishedAt").equals(now.get().get("finishedAt")))) {
          report.doubleTerminal++;
          LOG.warning("changed after it ended: " + first + " then " + now.get());
        }
      }
    }
    return report;
  }

  private static Optional<JsonNode> read(IsolatedStack stack, String id) {
    HttpResponse<String> response = stack.get("/v1/jobs/" + id);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new AssertionError("GET answered " + response.statusCode() + ": " + response.body());
    }
    return Optional.of(Http.json(response));
  }

  private static boolean isTerminal(JsonNode job) {
    return job.get("status").asText().matches("succeeded|failed|cancelled");
  }

  /** The jobs topics of a three-broker cluster: three replicas, two in sync at least. */
  private static void assertReplicated(IsolatedStack stack, String bootstrap) throws Exception {
    String topic = new Topics(stack.env().get("CONVEYOR_NAMESPACE")).forType("noop");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(p -> assertEquals(3, p.replicas().size()));
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      assertEquals("2", admin.describeConfigs(List.of(resource)).all().get().get(resource)
          .get("min.insync.replicas").value());
    }
  }

  private static void pause(long ms) {
    IsolatedStack.pause(ms);
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private final class Report {
    int accepted;
    int terminal;
    int lost;
    int stuck;
    long doubleTerminal;
    long jobsInDatabase;
    long unfinishedInDatabase;
    long endedOnce;
    final Map<String, Integer> byStatus = new LinkedHashMap<>();

    void print(Path file, long settledMs) throws Exception {
      String text = "fault suite: accepted " + accepted + " / terminal " + terminal + " / lost " + lost + " / stuck "
          + stuck + " / double-terminal " + doubleTerminal + "\n"
          + "  terminal states: " + byStatus + "\n"
          + "  database: " + jobsInDatabase + " jobs, " + unfinishedInDatabase + " unfinished, " + endedOnce
          + " moved into a terminal state exactly once (trigger)\n"
          + "  committed while Kafka was down by an API then killed: " + unsent.size() + ", all ended; jobs running on "
          + "killed workers: " + killedMidJob.size() + ", all ran again and ended\n"
          + "  all terminal " + settledMs + " ms after the last fault (lease " + LEASE_MS + " ms)\n"
          + "  submits refused: " + refused + ", unreachable (API down): " + unreachable.get() + "\n"
          + "  faults: " + faults + "\n"
          + (skipped.isEmpty() ? "" : "  skipped steps: " + skipped + "\n");
      System.out.print(text);
      LOG.info(text);
      Files.writeString(file, text);
    }

    @Override
    public String toString() {
      return "accepted " + accepted + ", terminal " + terminal + ", lost " + lost + ", stuck " + stuck
          + ", double-terminal " + doubleTerminal;
    }
  }
}
