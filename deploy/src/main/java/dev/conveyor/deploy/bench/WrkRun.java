package dev.conveyor.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs wrk, a closed-loop load (each connection sends its next request as soon as the last is answered), with
 * {@code wrk.lua}, which counts answers by status and ends with one JSON summary line; reads that line. wrk's raw
 * output is kept in {@code wrk-<name>.log}.
 */
final class WrkRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUMMARY = "WRK_RESULT ";
  private static final int THREADS = 2;

  /** One fixed request: wrk sends it again and again. */
  record Request(String method, String path, List<String> headers, String body) {
  }

  /**
   * What one run did: answers by status, socket errors (connect, read, write, timeout), wrk's latency percentiles
   * (per request, from its send), and the CPU wrk itself spent.
   */
  record Result(int connections, double seconds, long requests, Map<Integer, Long> statuses,
      Map<String, Long> errors, Percentiles latency, double cpuSeconds) {
    long count(int status) {
      return statuses.getOrDefault(status, 0L);
    }

    /** Answers with this status per second. */
    double rate(int status) {
      return count(status) / seconds;
    }

    /** Answers with any other status. */
    Map<Integer, Long> other(int status) {
      Map<Integer, Long> other = new TreeMap<>(statuses);
      other.remove(status);
      return other;
    }

    long socketErrors() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final Path dir;
  private final Path script;
  private final int ticksPerSecond;

  WrkRun(Path dir, int ticksPerSecond) throws IOException {
    this.dir = dir;
    this.ticksPerSecond = ticksPerSecond;
    this.script = dir.resolve("wrk.lua");
    try (InputStream in = WrkRun.class.getResourceAsStream("wrk.lua")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Runs {@code request} against {@code baseUrl} for {@code seconds} with {@code connections} connections. */
  Result run(String name, String baseUrl, Request request, int connections, int seconds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("wrk", "-t" + THREADS, "-c" + connections, "-d" + seconds + "s",
        "--timeout", "10s", "--latency", "-s", script.toString(), baseUrl + request.path()));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("WRK_METHOD", request.method());
    builder.environment().put("WRK_HEADERS", String.join("\n", request.headers()));
    if (request.body() != null) {
      Path body = dir.resolve("wrk-" + name + ".body");
      Files.writeString(body, request.body());
      builder.environment().put("WRK_BODY_FILE", body.toString());
    }
    Path log = dir.resolve("wrk-" + name + ".log");
    Process wrk = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
        throw new IOException("wrk did not end within " + (seconds + 30) + " s; see " + log);
      }
    } finally {
      wrk.destroyForcibly();
    }
    String summary = Files.readAllLines(log).stream().filter(line -> line.startsWith(SUMMARY)).findFirst()
        .orElseThrow(() -> new IOException("wrk exited with status " + wrk.exitValue() + " and no summary; see "
            + log));
    return parse(JSON.readTree(summary.substring(SUMMARY.length())), connections);
  }

  private Result parse(JsonNode summary, int connections) {
    Map<Integer, Long> statuses = new TreeMap<>();
    summary.get("statuses").properties().forEach(e -> statuses.put(Integer.parseInt(e.getKey()),
        e.getValue().asLong()));
    Map<String, Long> errors = new TreeMap<>();
    summary.get("errors").properties().forEach(e -> errors.put(e.getKey(), e.getValue().asLong()));
    Percentiles latency = new Percentiles(summary.get("requests").asLong(), summary.get("p50Us").asDouble() / 1000,
        summary.get("p99Us").asDouble() / 1000, summary.get("maxUs").asDouble() / 1000);
    return new Result(connections, summary.get("durationUs").asDouble() / 1e6, summary.get("requests").asLong(),
        statuses, errors, latency, summary.get("cpuTicks").asDouble() / ticksPerSecond);
  }
}
