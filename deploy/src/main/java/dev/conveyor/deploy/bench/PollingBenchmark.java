package dev.conveyor.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.Logging;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How well clients learn that their jobs ended, for what it costs them and the API: {@code sleep} jobs of 0.2 s, 2 s
 * and 20 s, then a mix of the three queued behind a backlog, then a burst of 200 jobs of 3 s, three times what the
 * worker runs at once, then jobs of 2 s while a crowd reads a job's status back to back (see {@link StatusFlood}),
 * each awaited by clients that poll every 500 ms, back off from 100 ms to 5 s, follow Poll-After-Ms, long-poll, or
 * read events; then one client awaiting 100 jobs, with one GET per job against one {@code ?ids=} request a round. One
 * strategy at a time, so that the API's CPU is its own (but for the crowd's). Usage: see
 * {@link PollingOptions#USAGE}.
 */
public final class PollingBenchmark {
  private static final Path DIR = Path.of("deploy", "target", "bench-polling");
  private static final int BACKLOG = 2_000;
  /** More jobs than the worker's 64 slots: they run in rounds, and most wait for one to end. */
  private static final int BURST = 200;
  private static final long BURST_MS = 3_000;
  private static final int MANY = 100;
  private static final int WARM_UP_ROUNDS = 3;
  /** A job that reports progress as it runs: some tens of milliseconds alone, a second or so twenty at once. */
  private static final String HASH_WARM_UP = "{\"type\":\"hash\",\"payload\":{\"text\":\"warm\",\"repeat\":2000000}}";

  /** One strategy on one set of jobs. */
  record Row(String set, Poller.Strategy strategy, int jobs, double getsPerJob, long delayP50, long delayP95,
      double withinTarget, long bytesPerJob, double apiCpuMsPerJob) {
  }

  private final PollingTarget target;
  private final HttpClient http;
  private final Vertx vertx;
  private final Poller poller;
  private final int perSet;
  private final long[] durationsMs;
  private final Set<PollingOptions.PollingSet> sets;
  private final Set<Poller.Strategy> clients;
  private final long ticksPerSecond = ProcessCpu.clockTicksPerSecond();
  private final List<Row> rows = new ArrayList<>();
  private final List<String> many = new ArrayList<>();
  private final List<String> underLoad = new ArrayList<>();

  private PollingBenchmark(PollingTarget target, HttpClient http, Vertx vertx, PollingOptions options) {
    this.target = target;
    this.http = http;
    this.vertx = vertx;
    this.poller = new Poller(http, target.baseUrl(), target.key());
    this.perSet = options.perSet();
    this.durationsMs = options.durationsMs();
    this.sets = options.sets();
    this.clients = options.clients();
  }

  public static void main(String[] args) throws Exception {
    PollingOptions options;
    try {
      options = PollingOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench-polling: " + e.getMessage() + "\n" + PollingOptions.USAGE);
      System.exit(2);
      return;
    }
    Logging.configure();
    Benchmark.wipe(DIR);
    Files.createDirectories(DIR);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Vertx vertx = Vertx.vertx();
    if (options.url().isPresent()) {
      PollingTarget target;
      try {
        target = PollingTarget.running(options.url().get(), options.key().orElse(null), options.apiPid());
      } catch (IllegalArgumentException e) {
        System.err.println("bench-polling: " + e.getMessage());
        System.exit(2);
        return;
      }
      System.exit(measure(new PollingBenchmark(target, http, vertx, options)));
    }
    Stack stack = new Stack(DIR);
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "bench-stop"));
    int status = 1;
    try {
      JobsDb.drop(vertx, Stack.DATABASE);
      stack.startConveyor();
      stack.startWorker(true);
      status = measure(new PollingBenchmark(PollingTarget.of(stack), http, vertx, options));
    } catch (Exception e) {
      System.err.println("bench-polling: FAILED: " + e);
    } finally {
      stack.close();
      vertx.close();
    }
    System.exit(status);
  }

  /** Runs, prints and writes the results; 0 if all went well, else 1. */
  private static int measure(PollingBenchmark bench) {
    try {
      bench.run();
      bench.print(System.out);
      bench.writeJson(DIR.resolve("results.json"));
      return 0;
    } catch (Exception e) {
      System.err.println("bench-polling: FAILED: " + e);
      return 1;
    }
  }

  private void run() throws Exception {
    // Warm-up: every strategy's code paths in the API and the worker, compiled by the JIT as on a server that has run
    // a while (the first hundred jobs after a start are seen tens of ms later), with noop jobs, and hash jobs for the
    // progress reports' path; and the sleep type's history, of 0.2 s jobs, each round: the first of them run slow
    // (305 ms from claim to end, 75 of them before the handler began, against 226 and 12 later), and with only those
    // in the history the 0.2 s set was read 100 ms after its end. (Without the hash jobs, the first sleep jobs of
    // 0.2 s ran 375 ms.)
    for (int round = 0; round < WARM_UP_ROUNDS; round++) {
      for (Poller.Strategy strategy : Poller.Strategy.values()) {
        awaitAll(strategy, Collections.nCopies(20, "{\"type\":\"noop\",\"payload\":{}}"));
      }
      awaitAll(Poller.Strategy.LONG_POLL, Collections.nCopies(20, HASH_WARM_UP));
      awaitAll(Poller.Strategy.LONG_POLL, Collections.nCopies(20, sleep(200)));
    }
    // The API reads what finished every 250 ms, from counts the workers write in batches: a set submitted at once
    // would be read as a type with no history (a cold start) one run in two.
    Thread.sleep(1_000);
    if (sets.contains(PollingOptions.PollingSet.LENGTHS)) {
      for (long ms : durationsMs) {
        for (Poller.Strategy strategy : clients) {
          measure(String.format("%.1f s", ms / 1000.0), strategy, Collections.nCopies(perSet, sleep(ms)));
        }
      }
    }
    if (sets.contains(PollingOptions.PollingSet.MIXED)) {
      Random random = new Random(42);
      List<String> mixed = new ArrayList<>();
      for (int i = 0; i < perSet; i++) {
        mixed.add(sleep(durationsMs[random.nextInt(durationsMs.length)]));
      }
      for (Poller.Strategy strategy : clients) {
        say("backlog of " + BACKLOG + " jobs of 50 ms, then the mixed set");
        backlog();
        measure("mixed, behind a backlog", strategy, mixed);
      }
    }
    if (sets.contains(PollingOptions.PollingSet.BURST)) {
      for (Poller.Strategy strategy : clients) {
        measure(BURST + " of " + BURST_MS / 1000 + " s at once", strategy,
            Collections.nCopies(BURST, sleep(BURST_MS)));
      }
    }
    if (sets.contains(PollingOptions.PollingSet.LOAD)) {
      underLoad();
    }
    if (sets.contains(PollingOptions.PollingSet.MANY)) {
      manyAtOnce();
    }
  }

  /**
   * The sets' middle length again, while a crowd of clients reads a job's status back to back: the API is loaded
   * (the hints stretch once it uses 80 % of the machine, which the crowd, on one core of its own, may not bring).
   */
  private void underLoad() throws Exception {
    long ms = durationsMs[durationsMs.length / 2];
    String set = String.format("%.1f s, API under load", ms / 1000.0);
    String finished = submit("{\"type\":\"noop\",\"payload\":{}}");
    for (Poller.Strategy strategy : clients) {
      try (StatusFlood flood = StatusFlood.start(vertx, target.baseUrl(), target.key(), finished)) {
        long startNs = System.nanoTime();
        double before = apiTicks();
        long answeredBefore = flood.answered();
        measure(set, strategy, Collections.nCopies(perSet, sleep(ms)));
        double seconds = (System.nanoTime() - startNs) / 1e9;
        double cores = Runtime.getRuntime().availableProcessors();
        underLoad.add(String.format("%s: %,.0f status reads a second from the crowd, API CPU %s", strategy.label,
            (flood.answered() - answeredBefore) / seconds,
            cpu((apiTicks() - before) / ticksPerSecond / seconds / cores * 100, "%.0f %% of the machine")));
      }
    }
  }

  private void measure(String set, Poller.Strategy strategy, List<String> bodies) throws Exception {
    say(set + ": " + strategy.label);
    double before = apiTicks();
    List<Poller.Seen> seen = awaitAll(strategy, bodies);
    double cpuMs = (apiTicks() - before) * 1000.0 / ticksPerSecond;
    long[] delays = seen.stream().mapToLong(Poller.Seen::delayMs).sorted().toArray();
    rows.add(new Row(set, strategy, seen.size(), seen.stream().mapToLong(Poller.Seen::gets).average().orElse(0),
        percentile(delays, 50), percentile(delays, 95), seen.stream().filter(PollingBenchmark::withinTarget).count()
            / (double) seen.size(), Math.round(seen.stream().mapToLong(Poller.Seen::bytes).average().orElse(0)), cpuMs / seen.size()));
  }

  private List<Poller.Seen> awaitAll(Poller.Strategy strategy, List<String> bodies) throws Exception {
    List<CompletableFuture<Poller.Seen>> runs = bodies.stream().map(b -> poller.run(b, strategy)).toList();
    CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    target.checkAlive().run();
    return runs.stream().map(CompletableFuture::join).toList();
  }

  /** Queues the backlog in batches, without waiting for it to run. */
  private void backlog() throws Exception {
    String item = "{\"type\":\"sleep\",\"payload\":{\"ms\":50,\"steps\":1}}";
    String batch = "{\"jobs\":[" + String.join(",", Collections.nCopies(1_000, item)) + "]}";
    for (int i = 0; i < BACKLOG / 1_000; i++) {
      post("/v1/jobs/batch", batch);
    }
  }

  /** 100 jobs of 2 s: one GET per job following each hint, against one ?ids= request a round. */
  private void manyAtOnce() throws Exception {
    say(MANY + " jobs at once: one GET per job, then one ?ids= request a round");
    double before = apiTicks();
    List<Poller.Seen> single = awaitAll(Poller.Strategy.HINTS, Collections.nCopies(MANY, sleep(2_000)));
    double singleCpu = (apiTicks() - before) * 1000.0 / ticksPerSecond;
    long singleGets = single.stream().mapToLong(Poller.Seen::gets).sum();

    List<String> ids = new ArrayList<>();
    for (String body : Collections.nCopies(MANY, sleep(2_000))) {
      ids.add(submit(body));
    }
    AtomicLong bytes = new AtomicLong();
    before = apiTicks();
    long manyGets = poller.awaitMany(ids, bytes).get(2, TimeUnit.MINUTES);
    double manyCpu = (apiTicks() - before) * 1000.0 / ticksPerSecond;
    many.add(String.format("one GET per job: %,d GETs, %,d bytes, API CPU %s", singleGets,
        single.stream().mapToLong(Poller.Seen::bytes).sum(), cpu(singleCpu, "%.0f ms")));
    many.add(String.format("one ?ids= request a round: %,d GETs, %,d bytes, API CPU %s", manyGets, bytes.get(),
        cpu(manyCpu, "%.0f ms")));
  }

  /** CPU time as {@code format} says, or that it was not measured (a Conveyor whose API process is not known). */
  private static String cpu(double ms, String format) {
    return Double.isNaN(ms) ? "not measured" : String.format(format, ms);
  }

  private String submit(String body) throws Exception {
    return new ObjectMapper().readTree(post("/v1/jobs", body)).get("id").asText();
  }

  private String post(String path, String body) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create(target.baseUrl() + path))
        .header("Authorization", "Bearer " + target.key()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** The API's CPU ticks so far; NaN when not known, so that what is computed from them says so. */
  private double apiTicks() {
    OptionalLong ticks = target.apiTicks();
    return ticks.isPresent() ? ticks.getAsLong() : Double.NaN;
  }

  /** The target for a client that follows the hints: seen at most max(100 ms, 10 % of its length) late. */
  private static boolean withinTarget(Poller.Seen seen) {
    return seen.delayMs() <= Math.max(100, seen.durationMs() / 10);
  }

  private static String sleep(long ms) {
    return "{\"type\":\"sleep\",\"payload\":{\"ms\":" + ms + ",\"steps\":10}}";
  }

  private static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  private void print(PrintStream out) {
    out.println();
    out.println("| jobs | client | GETs per job | detection delay p50 / p95 | seen within max(100 ms, 10 %) "
        + "| bytes per job | API CPU per job |");
    out.println("|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      out.printf("| %s | %s | %.1f | %,d / %,d ms | %.0f %% | %,d | %s |%n", r.set(), r.strategy().label,
          r.getsPerJob(), r.delayP50(), r.delayP95(), r.withinTarget() * 100, r.bytesPerJob(),
          cpu(r.apiCpuMsPerJob(), "%.2f ms"));
    }
    out.println();
    many.forEach(line -> out.println(MANY + " jobs of 2 s awaited by one client, " + line));
    underLoad.forEach(line -> out.println("Under load, " + line));
    out.println();
    out.println("Detection delay: when the client saw the job terminal, less its finishedAt (same clock); within"
        + " target: the share of jobs seen at most max(100 ms, 10 % of startedAt to finishedAt) late. "
        + perSet + " jobs a set (" + BURST + " in the burst), sleep with 10 steps.");
    out.println("Results as JSON: " + DIR.resolve("results.json"));
  }

  private void writeJson(Path file) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ArrayNode items = root.putArray("rows");
    for (Row r : rows) {
      items.addObject().put("set", r.set()).put("client", r.strategy().name()).put("jobs", r.jobs())
          .put("getsPerJob", r.getsPerJob()).put("delayP50Ms", r.delayP50()).put("delayP95Ms", r.delayP95())
          .put("withinTargetShare", r.withinTarget())
          .put("bytesPerJob", r.bytesPerJob())
          .put("apiCpuMsPerJob", Double.isNaN(r.apiCpuMsPerJob()) ? null : r.apiCpuMsPerJob());
    }
    ArrayNode manyNode = root.putArray("manyAtOnce");
    many.forEach(manyNode::add);
    ArrayNode loadNode = root.putArray("underLoad");
    underLoad.forEach(loadNode::add);
    root.put("durationsMs", Arrays.toString(durationsMs));
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }

  private static void say(String what) {
    System.out.println("bench-polling: " + what);
  }
}
