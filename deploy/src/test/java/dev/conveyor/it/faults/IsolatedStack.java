package dev.conveyor.it.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.deploy.JavaProcess;
import dev.conveyor.deploy.Ports;
import dev.conveyor.it.Http;
import dev.conveyor.it.TestStack;
import dev.conveyor.queue.Topics;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * A Conveyor of its own for a test that kills things: a namespace and a database of its own on the test run's
 * PostgreSQL, Redis and Kafka (or the Kafka given), and API and worker processes as child JVMs that the test may
 * SIGKILL, SIGSTOP or SIGTERM. Workers run the built-in types and the misbehaving test types.
 */
public final class IsolatedStack implements AutoCloseable {
  public static final String KEY = TestStack.KEY_ALPHA;

  private final String name;
  private final Map<String, String> env;
  private final List<Process> processes = new ArrayList<>();
  private Pool sql;

  private IsolatedStack(String name, Map<String, String> env) {
    this.name = name;
    this.env = env;
  }

  /** @param name a few lower-case letters, unique per test class; the namespace and database are named after it */
  public static IsolatedStack create(String name, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(TestStack.env());
    String database = System.getenv().getOrDefault("CONVEYOR_IT_DATABASE", "conveyor_it") + "_" + name;
    TestStack.admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    env.put("CONVEYOR_NAMESPACE", env.get("CONVEYOR_NAMESPACE") + name);
    env.put("CONVEYOR_PG_URL", "postgresql://postgres@127.0.0.1:5432/" + database);
    env.put("CONVEYOR_HTTP_PORT", Integer.toString(Ports.free()));
    env.putAll(overrides);
    return new IsolatedStack(name, env);
  }

  public Map<String, String> env() {
    return env;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + env.get("CONVEYOR_HTTP_PORT");
  }

  public Path log(String process) {
    return TestStack.home().resolve(name + "-" + process + ".log");
  }

  /** Starts an API process and waits until it is ready. */
  public Process startApi() {
    Process api = start("api", "dev.conveyor.api.ApiMain", Map.of());
    awaitReady(api);
    return api;
  }

  public Process startWorker(String id) {
    return startWorker(id, Map.of());
  }

  public Process startWorker(String id, Map<String, String> extra) {
    Map<String, String> workerEnv = new HashMap<>(extra);
    workerEnv.put("CONVEYOR_WORKER_ID", id);
    return start(id, FaultyWorkerMain.class.getName(), workerEnv);
  }

  /** A worker exactly as shipped: the built-in types only. */
  public Process startBuiltinWorker(String id) {
    return start(id, "dev.conveyor.worker.WorkerMain", Map.of("CONVEYOR_WORKER_ID", id));
  }

  /** Records on the topics of a type (all its queues), over all their partitions. */
  public long recordsOf(String type) {
    List<String> topics = new Topics(env.get("CONVEYOR_NAMESPACE")).forTypes(List.of(type));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        env.get("CONVEYOR_KAFKA_BOOTSTRAP")))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(topics).allTopicNames().get().forEach((topic, description) -> description.partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(i -> i.offset()).sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Process start(String process, String mainClass, Map<String, String> extra) {
    Map<String, String> processEnv = new HashMap<>(env);
    processEnv.putAll(extra);
    File log = log(process).toFile();
    try {
      Process started = JavaProcess.start(JavaProcess.builder(JavaProcess.ownClasspath(), List.of("-Xmx256m"),
          mainClass, List.of(), processEnv), log);
      processes.add(started);
      return started;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + process, e);
    }
  }

  /** Waits up to 90 s (slow days); on a timeout, says what readiness last answered and how the API's log ends. */
  private void awaitReady(Process api) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!api.isAlive()) {
        throw new IllegalStateException("the API exited with " + api.exitValue() + "; see " + log("api"));
      }
      try {
        HttpResponse<String> ready = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return;
        }
        last = ready.statusCode() + " " + ready.body();
      } catch (IOException notYet) {
        last = notYet.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      pause(200);
    }
    throw new IllegalStateException("the API did not become ready on " + baseUrl() + "; last answer: " + last
        + "; its log ends:\n" + logTail("api", 15));
  }

  private String logTail(String process, int lines) {
    List<String> all = logText(process).lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  public HttpResponse<String> submit(String json) {
    return Http.send(request("/v1/jobs").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** Submits until a worker has declared the type (the database is new), failing unless the answer turns 202. */
  public String submitted(String json) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    HttpResponse<String> response;
    do {
      response = submit(json);
      if (response.statusCode() == 202) {
        return Http.json(response).get("id").asText();
      }
      if (response.statusCode() != 422 || !response.body().contains("unknown-type")) {
        throw new AssertionError("expected 202, got " + response.statusCode() + ": " + response.body());
      }
      pause(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no worker declared the type: " + response.body());
  }

  public HttpResponse<String> get(String path) {
    return Http.send(request(path).GET());
  }

  public HttpResponse<String> post(String path) {
    return Http.send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  public HttpRequest.Builder request(String path) {
    return request(path, KEY);
  }

  public HttpRequest.Builder request(String path, String key) {
    return HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key);
  }

  public JsonNode job(String id) {
    HttpResponse<String> response = get("/v1/jobs/" + id);
    if (response.statusCode() != 200) {
      throw new AssertionError("GET job answered " + response.statusCode() + ": " + response.body());
    }
    return Http.json(response);
  }

  /** Reads the job until the condition holds; a 503 (a dependency coming back) is read again, not a failure. */
  public JsonNode awaitJob(String id, Predicate<JsonNode> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    do {
      // One read each time: a 503 (a breaker still open just after an outage) is only a reason to ask again.
      HttpResponse<String> response = get("/v1/jobs/" + id);
      if (response.statusCode() != 503) {
        if (response.statusCode() != 200) {
          throw new AssertionError("GET job answered " + response.statusCode() + ": " + response.body());
        }
        last = Http.json(response);
        if (condition.test(last)) {
          return last;
        }
      }
      pause(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("job " + id + " did not reach the expected state in " + timeout + "; last: " + last);
  }

  public JsonNode awaitStatus(String id, String status, Duration timeout) {
    return awaitJob(id, j -> j.get("status").asText().equals(status), timeout);
  }

  /** Runs SQL against this stack's database (once a process has created it). */
  public RowSet<Row> sql(String query, Object... params) {
    if (sql == null) {
      sql = PgBuilder.pool().connectingTo(env.get("CONVEYOR_PG_URL")).using(TestStack.vertx()).build();
    }
    return TestStack.await(sql.preparedQuery(query).execute(Tuple.wrap(params)));
  }

  /** Runs statements as one script (no parameters), e.g. to add a trigger to this stack's database. */
  public void script(String statements) {
    sql("SELECT 1");
    TestStack.await(sql.query(statements).execute());
  }

  public String logText(String process) {
    try {
      return Files.exists(log(process)) ? Files.readString(log(process)) : "";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }


  /** Sends a signal to a child process: "STOP", "CONT", "KILL", "TERM". */
  public static void signal(Process process, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (sql != null) {
      TestStack.await(sql.close());
    }
    for (Process process : processes) {
      if (process.isAlive()) {
        signal(process, "CONT");
      }
      process.destroyForcibly();
    }
    for (Process process : processes) {
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
