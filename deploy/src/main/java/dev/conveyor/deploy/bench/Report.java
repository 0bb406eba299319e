package dev.conveyor.deploy.bench;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the results into the printed tables and {@code results.json}. The BullMQ and JobRunr columns and the goals
 * are the reference figures, written here as text: this benchmark does not measure them.
 */
final class Report {
  private static final String NOT_MEASURED = "not measured";
  private static final List<String> CPU_GROUPS = List.of("API", "worker", "Kafka", "PostgreSQL", "Redis", "wrk");

  /** One workload: Conveyor's figure, its share of the bare endpoint's rate where that applies, and the references. */
  record Row(String workload, String conveyor, String ofBare, String bullmq, String jobrunr, String goal) {
  }

  private final Results results;

  Report(Results results) {
    this.results = results;
  }

  List<Row> rows() {
    String drained = String.format(Locale.ROOT, "drain %,d noop", results.options.drainJobs());
    return List.of(
        new Row("bare Vert.x endpoint, 64 conns", rate(results.bare, 200, "req/s"), results.bare == null ? "" : "100 %",
            "", "", "this machine's limit"),
        new Row("submit single, 64 conns", rate(results.submitSingle, 202, "jobs/s"), ofBare(results.submitSingle, 202),
            "8,186 jobs/s", "2,158", "≥ 10,000 jobs/s, p99 < 50 ms"),
        new Row("submit batches of " + Benchmark.BATCH_SIZE + ", " + Benchmark.BATCH_CONNECTIONS + " conns", batch(),
            "", "21,365", "15,489", "≥ 40,000 jobs/s"),
        new Row("status GET, 64 conns", rate(results.statusGet, 200, "req/s"), ofBare(results.statusGet, 200), "—", "—",
            "≥ 40,000 req/s"),
        new Row("status GET, If-None-Match → 304, 64 conns", rate(results.statusNotModified, 304, "req/s"),
            ofBare(results.statusNotModified, 304), "", "", ""),
        new Row(drained + ", one worker", drain(1), "", "8,970", "1,451", "≥ 10,000 jobs/s"),
        new Row(drained + ", one warm worker", results.warmDrain == null ? NOT_MEASURED
            : String.format(Locale.ROOT, "%,.0f jobs/s", results.warmDrain.perSecond()), "", "", "", ""),
        new Row(drained + ", two workers", drain(2), "", "", "", ""),
        new Row("submit→start p50/p99 at 50/s", latency(50), "", "1.06/2.95 ms", "2,405/4,858 ms",
            "≤ 3 / ≤ 15 ms, also at 1,000/s"),
        new Row("submit→start p50/p99 at 1,000/s", latency(1000), "", "", "", "≤ 3 / ≤ 15 ms"),
        new Row("RSS API / worker", results.rss == null ? NOT_MEASURED
            : String.format(Locale.ROOT, "%d / %d MiB", results.rss.apiKib() / 1024, results.rss.workerKib() / 1024),
            "", "", "", "≤ 300 MiB each"));
  }

  /** What the figures rest on: every status counted, every error, every job accounted for. */
  List<String> checks() {
    List<String> checks = new ArrayList<>();
    check(checks, "bare endpoint", results.bare, 200);
    results.bareLatency.forEach((rate, load) -> checks.add(openLoop("bare endpoint, open loop", rate, load)));
    check(checks, "status GET", results.statusGet, 200);
    check(checks, "status GET, If-None-Match", results.statusNotModified, 304);
    results.latency.forEach((rate, latency) -> checks.add(openLoop("submit, open loop", rate, latency.load())
        + String.format(Locale.ROOT, "; submit→start of %,d jobs", latency.submitToStart().count())));
    results.drain.forEach((workers, drain) -> checks.add(String.format(Locale.ROOT,
        "drain with %d worker%s: %,d of %,d jobs succeeded, first start to last end %.2f s", workers,
        workers == 1 ? "" : "s", drain.succeeded(), drain.jobs(), drain.seconds())));
    check(checks, "submit single", results.submitSingle, 202);
    check(checks, "submit batches", results.submitBatch, 202);
    return checks;
  }

  void print(PrintStream out) {
    List<List<String>> main = new ArrayList<>();
    rows().forEach(r -> main.add(List.of(r.workload(), r.conveyor(), r.ofBare(), r.bullmq(), r.jobrunr(), r.goal())));
    out.println();
    out.print(table(List.of("workload", "Conveyor", "of bare", "BullMQ 6.7", "JobRunr 8.7", "goal"), main));
    out.println();
    List<List<String>> cpu = new ArrayList<>();
    for (Results.CpuUse use : results.cpu) {
      List<String> cells = new ArrayList<>(List.of(use.phase(), String.format(Locale.ROOT, "%,d", use.jobs())));
      for (String group : CPU_GROUPS) {
        boolean present = use.seconds().keySet().stream().anyMatch(k -> k.startsWith(group));
        cells.add(present ? String.format(Locale.ROOT, "%.2f", use.perThousand(group)) : "—");
      }
      cells.add(String.format(Locale.ROOT, "%.2f", use.perThousand("")));
      cpu.add(cells);
    }
    out.print(table(List.of("CPU s per 1,000 jobs", "jobs", "API", "worker(s)", "Kafka", "PostgreSQL", "Redis", "wrk",
        "total"), cpu));
    out.println();
    out.println("Checks:");
    checks().forEach(c -> out.println("  " + c));
    out.println();
    out.println("""
        How: throughput rows are wrk (closed loop, 2 threads); "of bare" is the rate over the bare endpoint's.
        Drains come from the jobs' own timestamps in PostgreSQL (first start to last end). submit→start is
        started_at − created_at in PostgreSQL (each kept to the millisecond) under an open-loop load; its submit
        latency counts from each request's intended send time ("bare": the same open loop against the bare
        endpoint). CPU is utime + stime from /proc over the measured phase (a drain's from its first job start);
        PostgreSQL and Redis are this machine's shared servers, so their CPU includes whatever else runs on them.
        BullMQ, JobRunr and the goals are the issue's figures, not measured here.""");
    if (results.failure != null) {
      out.println();
      out.println("The run FAILED, so some rows are not measured: " + results.failure);
    }
  }

  void writeJson(Path file) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("rows", rows());
    json.put("checks", checks());
    json.put("measured", results);
    new ObjectMapper().setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
        .enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
  }

  private String rate(WrkRun.Result result, int status, String unit) {
    if (result == null) {
      return NOT_MEASURED;
    }
    return String.format(Locale.ROOT, "%,.0f %s, p50 %s ms, p99 %s ms", result.rate(status), unit,
        ms(result.latency().p50Ms()), ms(result.latency().p99Ms()));
  }

  private String ofBare(WrkRun.Result result, int status) {
    if (result == null || results.bare == null) {
      return "";
    }
    return String.format(Locale.ROOT, "%.1f %%", 100 * result.rate(status) / results.bare.rate(200));
  }

  private String batch() {
    WrkRun.Result result = results.submitBatch;
    if (result == null) {
      return NOT_MEASURED;
    }
    return String.format(Locale.ROOT, "%,.0f jobs/s (%,.0f req/s), p50 %s ms, p99 %s ms per request",
        result.rate(202) * Benchmark.BATCH_SIZE, result.rate(202), ms(result.latency().p50Ms()),
        ms(result.latency().p99Ms()));
  }

  private String drain(int workers) {
    JobsDb.Drain drain = results.drain.get(workers);
    return drain == null ? NOT_MEASURED : String.format(Locale.ROOT, "%,.0f jobs/s", drain.perSecond());
  }

  private String latency(int rate) {
    Results.Latency latency = results.latency.get(rate);
    if (latency == null) {
      return NOT_MEASURED;
    }
    Percentiles start = latency.submitToStart();
    Percentiles submit = latency.load().submit();
    OpenLoopLoad.Result bare = results.bareLatency.get(rate);
    return String.format(Locale.ROOT, "%s/%s ms (max %s); submit p50/p99 %s/%s ms%s", ms(start.p50Ms()),
        ms(start.p99Ms()), ms(start.maxMs()), ms(submit.p50Ms()), ms(submit.p99Ms()), bare == null ? ""
            : String.format(Locale.ROOT, " (bare %s/%s)", ms(bare.submit().p50Ms()), ms(bare.submit().p99Ms())));
  }

  private static String openLoop(String name, int rate, OpenLoopLoad.Result load) {
    return String.format(Locale.ROOT, "%s at %,d/s: %,d requests due over %.1f s; answers %s; failed %d, "
        + "unanswered %d", name, rate, load.sent(), load.seconds(), load.statuses(), load.failed(), load.unanswered());
  }

  private static void check(List<String> checks, String name, WrkRun.Result result, int expected) {
    if (result == null) {
      return;
    }
    checks.add(String.format(Locale.ROOT, "%s: %,d × %d in %.1f s; other answers %s; socket errors %s", name,
        result.count(expected), expected, result.seconds(), result.other(expected).isEmpty() ? "none"
            : result.other(expected), result.socketErrors() == 0 ? "none" : result.errors()));
  }

  /** Milliseconds with about three significant digits. */
  private static String ms(double ms) {
    return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%,.0f", ms);
  }

  /** A Markdown table, its columns padded so that it also reads as plain text. */
  private static String table(List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    for (List<String> row : concat(header, rows)) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, header, widths);
    List<String> rule = new ArrayList<>();
    for (int width : widths) {
      rule.add("-".repeat(width));
    }
    line(out, rule, widths);
    rows.forEach(row -> line(out, row, widths));
    return out.toString();
  }

  private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>(rows);
    all.add(header);
    return all;
  }

  private static void line(StringBuilder out, List<String> cells, int[] widths) {
    out.append('|');
    for (int i = 0; i < cells.size(); i++) {
      out.append(' ').append(cells.get(i)).append(" ".repeat(widths[i] - cells.get(i).length())).append(" |");
    }
    out.append('\n');
  }
}
