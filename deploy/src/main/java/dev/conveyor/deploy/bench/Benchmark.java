package dev.conveyor.deploy.bench;

import dev.conveyor.config.Logging;
import dev.conveyor.deploy.Ports;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The one benchmark: starts a bare Vert.x endpoint and then the whole system (Kafka, API, workers, on a fresh
 * database and namespace) on free local ports, loads it phase by phase, stops everything, and prints the table
 * (also written to {@code deploy/target/bench/results.json}). Every phase is bounded in time; all load goes to
 * 127.0.0.1.
 *
 * <p>The phases that need an empty queue (status, latency, drains) come before the submit phases, whose backlog a
 * worker could not drain in any reasonable time and which nothing after them needs drained.
 */
public final class Benchmark {
  static final int CONNECTIONS = 64;
  static final int BATCH_SIZE = 100;
  static final int BATCH_CONNECTIONS = 8;
  /** Open-loop rates of the latency phases, jobs (requests) per second. */
  static final List<Integer> LATENCY_RATES = List.of(50, 1000);
  private static final int FILL_BATCH = 1000;
  private static final Path DIR = Path.of("deploy", "target", "bench");
  private static final Duration SETTLE_LIMIT = Duration.ofMinutes(2);
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(5);

  private final Options options;
  private final Vertx vertx;
  private final Stack stack;
  private final WrkRun wrk;
  private final Results results;
  private final int ticksPerSecond;
  private final long started = System.nanoTime();
  private JobsDb db;
  private ConveyorClient client;

  private Benchmark(Options options, Vertx vertx, Stack stack, Results results, int ticksPerSecond)
      throws IOException {
    this.options = options;
    this.vertx = vertx;
    this.stack = stack;
    this.results = results;
    this.ticksPerSecond = ticksPerSecond;
    this.wrk = new WrkRun(DIR, ticksPerSecond);
  }

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(Options.USAGE);
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("conveyor-bench: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    Logging.configure();
    // Nothing of an earlier run is kept: its logs, broker data and figures would only mislead.
    wipe(DIR);
    Files.createDirectories(DIR);
    Vertx vertx = Vertx.vertx();
    Stack stack = new Stack(DIR);
    AtomicBoolean finished = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!finished.get()) {
        System.err.println("bench: interrupted; stopping every process it started");
      }
      stack.close();
    }, "bench-stop"));
    Results results = new Results(options, Runtime.getRuntime().availableProcessors());
    Benchmark benchmark = new Benchmark(options, vertx, stack, results, ProcessCpu.clockTicksPerSecond());
    int status = 0;
    try {
      benchmark.run();
    } catch (Exception e) {
      results.failure = e.toString();
      try {
        // A process that died is the likelier cause, and says where to look.
        stack.checkAlive();
      } catch (IllegalStateException dead) {
        results.failure = dead.getMessage() + " (" + e + ")";
      }
      System.err.println("bench: FAILED: " + results.failure);
      status = 1;
    } finally {
      benchmark.close();
    }
    Report report = new Report(results);
    report.print(System.out);
    Path json = DIR.resolve("results.json");
    report.writeJson(json);
    System.out.println();
    System.out.println("Results as JSON: " + json);
    System.out.println("Logs (API, workers, Kafka, bare endpoint, wrk): " + DIR + "/*.log");
    finished.set(true);
    System.exit(status);
  }

  private void run() throws Exception {
    say("about " + estimatedMinutes() + " minutes; logs in " + DIR);
    bareEndpoint();
    startConveyor();
    statusReads();
    for (int rate : LATENCY_RATES) {
      latency(rate);
    }
    drain(1);
    warmDrain();
    drain(2);
    submitSingle();
    submitBatches();
    Stack.Child worker = stack.workers().get(0);
    results.rss = new Results.Rss(ProcessCpu.rssKib(stack.api().pid()), ProcessCpu.rssKib(worker.pid()));
    say("done in " + (System.nanoTime() - started) / 1_000_000_000 + " s; stopping everything");
  }

  /** wrk, then the open loop of the latency phases (whose submits it answers like any request). */
  private void bareEndpoint() throws Exception {
    int port = Ports.free();
    say("bare endpoint: starting, then wrk for " + options.seconds() + " s and open loops at " + LATENCY_RATES
        + "/s for " + options.latencySeconds() + " s");
    Stack.Child bare = stack.startBareEndpoint(port);
    String url = "http://127.0.0.1:" + port;
    WrkRun.Request get = new WrkRun.Request("GET", "/", List.of(), null);
    wrk.run("bare-warmup", url, get, CONNECTIONS, options.warmupSeconds());
    results.bare = wrk.run("bare", url, get, CONNECTIONS, options.seconds());
    // This JVM's own HTTP client is cold here, its first use; a slow rate alone would not warm it.
    OpenLoopLoad.run(vertx, port, stack.key(), LATENCY_RATES.get(LATENCY_RATES.size() - 1),
        Duration.ofSeconds(options.warmupSeconds()));
    for (int rate : LATENCY_RATES) {
      OpenLoopLoad.run(vertx, port, stack.key(), rate, Duration.ofSeconds(options.warmupSeconds()));
      results.bareLatency.put(rate, OpenLoopLoad.run(vertx, port, stack.key(), rate,
          Duration.ofSeconds(options.latencySeconds())));
    }
    // Gone before Conveyor starts, so that it takes no memory or CPU from it.
    stack.stop(bare);
  }

  private void startConveyor() throws Exception {
    say("starting Kafka, the API and a worker on database " + Stack.DATABASE + " (dropped first)");
    JobsDb.drop(vertx, Stack.DATABASE);
    stack.startConveyor();
    db = JobsDb.open(vertx, Stack.PG_URL);
    client = new ConveyorClient(vertx, stack.apiPort(), stack.key());
    stack.startWorker(true);
  }

  private void statusReads() throws Exception {
    UUID id = client.submitOne();
    String etag = client.awaitSucceeded(id, Duration.ofSeconds(60));
    client.expectNotModified(id, etag);
    String path = "/v1/jobs/" + id;
    say("status GET of one succeeded job, then with If-None-Match: " + etag);
    WrkRun.Request get = new WrkRun.Request("GET", path, List.of(auth()), null);
    wrk.run("status-warmup", apiUrl(), get, CONNECTIONS, options.warmupSeconds());
    results.statusGet = wrk.run("status", apiUrl(), get, CONNECTIONS, options.seconds());
    WrkRun.Request conditional = new WrkRun.Request("GET", path, List.of(auth(), "If-None-Match: " + etag), null);
    wrk.run("status-304-warmup", apiUrl(), conditional, CONNECTIONS, options.warmupSeconds());
    results.statusNotModified = wrk.run("status-304", apiUrl(), conditional, CONNECTIONS, options.seconds());
    stack.checkAlive();
  }

  /** Open loop at {@code rate} jobs/s with one worker: each job's wait from submit to handler start. */
  private void latency(int rate) throws Exception {
    say("submit→start at " + rate + " jobs/s, open loop, for " + options.latencySeconds() + " s");
    db.awaitIdle(Stack.TENANT, SETTLE_LIMIT, Duration.ofMillis(100));
    OpenLoopLoad.run(vertx, stack.apiPort(), stack.key(), rate, Duration.ofSeconds(options.warmupSeconds()));
    db.awaitIdle(Stack.TENANT, SETTLE_LIMIT, Duration.ofMillis(100));
    OpenLoopLoad.Result load = OpenLoopLoad.run(vertx, stack.apiPort(), stack.key(), rate,
        Duration.ofSeconds(options.latencySeconds()));
    db.awaitIdle(Stack.TENANT, SETTLE_LIMIT, Duration.ofMillis(100));
    results.latency.put(rate, new Results.Latency(load, Percentiles.ofMicros(db.startLatencies(load.accepted()))));
    stack.checkAlive();
  }

  /**
   * With the workers stopped, queues the drain's jobs, then starts {@code workers} workers and times them from the
   * first handler start to the last end. CPU counts from the first start too, so that the workers' JVM start is left
   * out (mostly: a second worker may still be starting then).
   */
  private void drain(int workers) throws Exception {
    db.awaitIdle(Stack.TENANT, SETTLE_LIMIT, Duration.ofMillis(100));
    stack.stopWorkers();
    say(String.format("drain: queueing %,d noop jobs, then starting %d worker%s", options.drainJobs(), workers,
        workers == 1 ? "" : "s"));
    List<UUID> ids = client.submitBatches(options.drainJobs(), FILL_BATCH);
    for (int i = 0; i < workers; i++) {
      stack.startWorker(false);
    }
    awaitFirstStart(ids.size());
    ProcessCpu.Sample before = sample();
    db.awaitIdle(Stack.TENANT, DRAIN_LIMIT, Duration.ofMillis(250));
    ProcessCpu.Sample after = sample();
    JobsDb.Drain drain = db.drain(ids);
    if (drain.jobs() != ids.size() || drain.succeeded() != ids.size()) {
      throw new IllegalStateException("drain: of " + ids.size() + " jobs, " + drain.jobs() + " found and "
          + drain.succeeded() + " succeeded");
    }
    results.drain.put(workers, drain);
    results.cpu.add(new Results.CpuUse("drain, " + workers + " worker" + (workers == 1 ? "" : "s"), ids.size(),
        after.secondsSince(before, ticksPerSecond)));
    stack.checkAlive();
  }

  /** Polls until one of the {@code queued} jobs has left the queue: the drain has begun. */
  private void awaitFirstStart(int queued) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (db.active(Stack.TENANT).queued() >= queued) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("no worker started a job within 2 minutes; see the worker logs in " + DIR);
      }
      stack.checkAlive();
      Thread.sleep(20);
    }
  }

  private void submitSingle() throws Exception {
    stack.stopWorkers();
    stack.startWorker(true);
    say("submit single, " + CONNECTIONS + " connections, one worker running, for " + options.seconds() + " s");
    WrkRun.Request submit = new WrkRun.Request("POST", "/v1/jobs", List.of(auth(), "Content-Type: application/json"),
        ConveyorClient.NOOP);
    results.submitSingle = measureSubmits("submit-single", submit, CONNECTIONS, 1,
        "submit single, " + CONNECTIONS + " conns");
  }

  private void submitBatches() throws Exception {
    say("submit batches of " + BATCH_SIZE + ", " + BATCH_CONNECTIONS + " connections, for " + options.seconds()
        + " s");
    WrkRun.Request submit = new WrkRun.Request("POST", "/v1/jobs/batch",
        List.of(auth(), "Content-Type: application/json"), ConveyorClient.batchOf(BATCH_SIZE));
    results.submitBatch = measureSubmits("submit-batch", submit, BATCH_CONNECTIONS, BATCH_SIZE,
        "submit batches of " + BATCH_SIZE);
  }

  /**
   * The worker of the drain before, now warm and still running, drains as many jobs again, queued in batches as fast
   * as the API takes them: no JVM start or warm-up is inside it, but the last batches are still being submitted
   * while the first jobs run. CPU counts from the first submit.
   */
  private void warmDrain() throws Exception {
    say(String.format("drain: %,d noop jobs more for the warm worker", options.drainJobs()));
    ProcessCpu.Sample before = sample();
    List<UUID> ids = client.submitBatches(options.drainJobs(), FILL_BATCH);
    db.awaitIdle(Stack.TENANT, DRAIN_LIMIT, Duration.ofMillis(250));
    ProcessCpu.Sample after = sample();
    JobsDb.Drain drain = db.drain(ids);
    if (drain.jobs() != ids.size() || drain.succeeded() != ids.size()) {
      throw new IllegalStateException("warm drain: of " + ids.size() + " jobs, " + drain.jobs() + " found and "
          + drain.succeeded() + " succeeded");
    }
    results.warmDrain = drain;
    results.cpu.add(new Results.CpuUse("drain, 1 warm worker", ids.size(), after.secondsSince(before, ticksPerSecond)));
    stack.checkAlive();
  }

  /** A warm-up, then the measured wrk run, with every process's CPU read around it. */
  private WrkRun.Result measureSubmits(String name, WrkRun.Request submit, int connections, int jobsPerRequest,
      String phase) throws Exception {
    wrk.run(name + "-warmup", apiUrl(), submit, connections, options.warmupSeconds());
    ProcessCpu.Sample before = sample();
    WrkRun.Result result = wrk.run(name, apiUrl(), submit, connections, options.seconds());
    ProcessCpu.Sample after = sample();
    Map<String, Double> seconds = new LinkedHashMap<>(after.secondsSince(before, ticksPerSecond));
    seconds.put("wrk", result.cpuSeconds());
    results.cpu.add(new Results.CpuUse(phase, result.count(202) * jobsPerRequest, seconds));
    stack.checkAlive();
    return result;
  }

  /** CPU ticks of every process that does the work, PostgreSQL's backends included. */
  private ProcessCpu.Sample sample() {
    Map<String, List<Long>> groups = new LinkedHashMap<>();
    groups.put("API", List.of(stack.api().pid()));
    stack.workers().forEach(w -> groups.put(w.name(), List.of(w.pid())));
    groups.put("Kafka", List.of(stack.kafkaPid()));
    groups.put("PostgreSQL", ProcessCpu.named("postgres"));
    groups.put("Redis", ProcessCpu.named("redis-server"));
    return ProcessCpu.Sample.of(groups);
  }

  private String apiUrl() {
    return "http://127.0.0.1:" + stack.apiPort();
  }

  private String auth() {
    return "Authorization: Bearer " + stack.key();
  }

  /** Measured phases, plus what they wait for: drains at about 1,000 jobs/s, starts and stops. */
  private long estimatedMinutes() {
    long seconds = 5L * (options.warmupSeconds() + options.seconds())
        + 4L * (options.warmupSeconds() + options.latencySeconds()) + 2L * (options.drainJobs() / 1000 + 15) + 60;
    return Math.max(1, Math.round(seconds / 60.0));
  }

  private void say(String message) {
    System.out.printf("bench [%3d s]: %s%n", (System.nanoTime() - started) / 1_000_000_000, message);
  }

  /** Closes the clients, then stops every process; each step runs even if one before it fails. */
  private void close() {
    try {
      if (client != null) {
        client.close();
      }
      if (db != null) {
        db.close();
      }
    } catch (Exception e) {
      System.err.println("bench: closing the clients: " + e);
    }
    stack.close();
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      System.err.println("bench: Vert.x did not close within 10 s");
    }
  }

  static void wipe(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
