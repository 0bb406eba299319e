package dev.conveyor.deploy.bench;

import dev.conveyor.deploy.JavaProcess;
import dev.conveyor.deploy.KafkaBroker;
import dev.conveyor.deploy.Ports;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The processes the benchmark runs, each on a free port of 127.0.0.1 (never another stack's 8080 or 9092) with its
 * log under the bench directory: the bare endpoint, a Kafka broker, the API and workers, on a fresh database and a
 * fresh random namespace. {@link #close} stops whatever still runs, also when called from a shutdown hook on Ctrl-C.
 */
final class Stack implements AutoCloseable {
  static final String DATABASE = "conveyor_bench";
  static final String PG_URL = "postgresql://postgres@127.0.0.1:5432/" + DATABASE;
  static final String TENANT = "bench";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  /** A stopping worker may take its shutdown grace (20 s) and then some; a little more before SIGKILL. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

  /** A child process and its log. */
  record Child(String name, Process process, Path log) {
    long pid() {
      return process.pid();
    }
  }

  private final Path dir;
  private final List<Child> children = new CopyOnWriteArrayList<>();
  /** Children stopped on purpose; any other that has exited has failed. */
  private final Set<Child> stopped = ConcurrentHashMap.newKeySet();
  private final String key = "cvk_bench_" + random(16);
  private final String namespace = "bench" + random(4);
  private volatile KafkaBroker kafka;
  private volatile boolean closed;
  private Map<String, String> env;
  private Child api;
  private Path apiJar;
  private Path workerJar;
  private int workersStarted;

  Stack(Path dir) {
    this.dir = dir;
  }

  String key() {
    return key;
  }

  int apiPort() {
    return Integer.parseInt(env.get("CONVEYOR_HTTP_PORT"));
  }

  Child api() {
    return api;
  }

  long kafkaPid() {
    return kafka.pid();
  }

  /** The workers not stopped on purpose. */
  List<Child> workers() {
    return children.stream().filter(c -> c.name().startsWith("worker") && !stopped.contains(c)).toList();
  }

  /** Starts the bare endpoint on {@code port} and returns once it answers. */
  Child startBareEndpoint(int port) throws IOException, InterruptedException {
    Child bare = launch("bare", JavaProcess.builder(JavaProcess.ownClasspath(), List.of(),
        BareEndpoint.class.getName(), List.of(Integer.toString(port)), Map.of()));
    awaitOk(bare, "http://127.0.0.1:" + port + "/");
    return bare;
  }

  /**
   * Starts Kafka and the API (the database must have been dropped: the API creates it), and returns once the API is
   * ready. Rate and queue limits are lifted so that the benchmark measures the system, not its guards.
   */
  void startConveyor() throws IOException, InterruptedException {
    apiJar = copy("api/target/conveyor-api.jar", "bench-api.jar");
    workerJar = copy("worker/target/conveyor-worker.jar", "bench-worker.jar");
    int kafkaPort = Ports.freePair();
    kafka = KafkaBroker.start(dir.resolve("kafka-data"), kafkaPort, "512m", dir.resolve("kafka.log").toFile());
    env = new LinkedHashMap<>();
    env.put("CONVEYOR_HTTP_PORT", Integer.toString(Ports.free()));
    env.put("CONVEYOR_PG_URL", PG_URL);
    env.put("CONVEYOR_REDIS_URL", "redis://127.0.0.1:6379");
    env.put("CONVEYOR_KAFKA_BOOTSTRAP", kafka.bootstrap());
    env.put("CONVEYOR_NAMESPACE", namespace);
    env.put("CONVEYOR_API_KEYS", TENANT + ":" + key);
    env.put("CONVEYOR_RATE_PER_SEC", "10000000");
    env.put("CONVEYOR_RATE_BURST", "10000000");
    env.put("CONVEYOR_MAX_QUEUED_PER_TENANT", "100000000");
    api = launch("api", jar(apiJar, env));
    awaitOk(api, "http://127.0.0.1:" + apiPort() + "/health/ready");
  }

  /** Starts a worker; with {@code awaitReady}, returns once its health port says it is ready. */
  Child startWorker(boolean awaitReady) throws IOException, InterruptedException {
    int healthPort = Ports.free();
    Map<String, String> workerEnv = new LinkedHashMap<>(env);
    workerEnv.put("CONVEYOR_WORKER_HEALTH_PORT", Integer.toString(healthPort));
    Child worker = launch("worker-" + (++workersStarted), jar(workerJar, workerEnv));
    if (awaitReady) {
      awaitOk(worker, "http://127.0.0.1:" + healthPort + "/health/ready");
    }
    return worker;
  }

  /** Stops every running worker (SIGTERM, all at once) and waits until they have exited. */
  void stopWorkers() {
    List<Child> running = workers();
    stopped.addAll(running);
    running.forEach(w -> w.process().destroy());
    running.forEach(Stack::awaitExit);
  }

  /** Stops one child: SIGTERM, then SIGKILL if it has not exited in time. */
  void stop(Child child) {
    stopped.add(child);
    child.process().destroy();
    awaitExit(child);
  }

  /** Fails, naming the log to read, if Kafka, the API or a worker has died. */
  void checkAlive() {
    if (kafka != null && !kafka.alive()) {
      throw new IllegalStateException("the Kafka broker exited; see " + dir.resolve("kafka.log"));
    }
    for (Child child : children) {
      if (!child.process().isAlive() && !stopped.contains(child)) {
        throw new IllegalStateException(child.name() + " exited (status " + child.process().exitValue()
            + ") while the benchmark ran; see " + child.log());
      }
    }
  }

  /** Stops workers, then the API and the bare endpoint, then Kafka. Safe to call twice and from a shutdown hook. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopWorkers();
    List<Child> rest = new ArrayList<>(children);
    Collections.reverse(rest);
    rest.stream().filter(c -> !stopped.contains(c)).forEach(this::stop);
    if (kafka != null) {
      kafka.close();
    }
  }

  private Child launch(String name, ProcessBuilder builder) throws IOException {
    if (closed) {
      throw new IllegalStateException("stopping: no new process");
    }
    Path log = dir.resolve(name + ".log");
    Child child = new Child(name, JavaProcess.start(builder, log.toFile()), log);
    children.add(child);
    return child;
  }

  /**
   * The processes run from copies of the jars, named apart: a tool that stops another local stack's processes by
   * name ({@code pkill -f conveyor-api.jar}) leaves these alone, and a rebuild during the run changes nothing.
   */
  private Path copy(String jar, String name) throws IOException {
    if (!Files.exists(Path.of(jar))) {
      throw new IOException(jar + " is missing; build first with ./mvnw -DskipTests package");
    }
    Path copy = dir.resolve("jars").resolve(name);
    Files.createDirectories(copy.getParent());
    return Files.copy(Path.of(jar), copy, StandardCopyOption.REPLACE_EXISTING);
  }

  /** {@code java -jar} with the benchmark's settings only: CONVEYOR_* variables of the caller's shell are dropped. */
  private static ProcessBuilder jar(Path jar, Map<String, String> env) {
    ProcessBuilder builder = new ProcessBuilder(JavaProcess.serviceJar(jar.toString()));
    builder.environment().keySet().removeIf(name -> name.startsWith("CONVEYOR_"));
    builder.environment().putAll(env);
    return builder;
  }

  private static void awaitOk(Child child, String url) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!child.process().isAlive()) {
        throw new IOException(child.name() + " exited with status " + child.process().exitValue()
            + " while starting; see " + child.log());
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        // No idle keep-alive connection left behind to hold up the process's graceful shutdown later.
        connection.setRequestProperty("Connection", "close");
        connection.setConnectTimeout(1000);
        connection.setReadTimeout(3000);
        int status = connection.getResponseCode();
        connection.disconnect();
        if (status == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IOException(child.name() + " was not ready within " + READY_TIMEOUT.toSeconds() + " s; see "
        + child.log());
  }

  private static void awaitExit(Child child) {
    try {
      if (!child.process().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        System.out.println("bench: " + child.name() + " did not stop within " + STOP_TIMEOUT.toSeconds()
            + " s of SIGTERM; killing it");
        child.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      child.process().destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }



  private static String random(int bytes) {
    byte[] value = new byte[bytes];
    new SecureRandom().nextBytes(value);
    return HexFormat.of().formatHex(value);
  }
}
