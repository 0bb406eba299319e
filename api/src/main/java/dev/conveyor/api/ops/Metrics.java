package dev.conveyor.api.ops;

import dev.conveyor.api.http.Routes;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /metrics} in the Prometheus text format: this process's HTTP server timings (Vert.x Micrometer), then
 * the cluster's job metrics from Redis and the jobs running now.
 */
public final class Metrics implements Routes {
  private final PrometheusMeterRegistry registry;
  private final JobMetrics jobs;
  private final JobTypeStore types;
  private final JobStore store;

  public Metrics(PrometheusMeterRegistry registry, JobMetrics jobs, JobTypeStore types, JobStore store) {
    this.registry = registry;
    this.jobs = jobs;
    this.types = types;
    this.store = store;
  }

  /** A registry for one API process. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** A Vert.x instance whose HTTP server records request timings into {@code registry}. */
  public static Vertx vertx(PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  @Override
  public void mount(Router router) {
    router.get("/metrics").handler(this::scrape);
  }

  private void scrape(RoutingContext ctx) {
    types.names().compose(names -> Future.all(jobs.snapshot(names), store.runningCount()))
        .onSuccess(all -> {
          StringBuilder text = new StringBuilder(registry.scrape());
          render(text, all.resultAt(0), all.resultAt(1));
          ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text.toString());
        })
        .onFailure(ctx::fail);
  }

  static void render(StringBuilder out, JobMetrics.Snapshot snapshot, long running) {
    header(out, "conveyor_jobs_submitted_total", "counter", "Jobs accepted, by type.");
    snapshot.submitted().forEach((type, n) -> out.append("conveyor_jobs_submitted_total{type=\"").append(type)
        .append("\"} ").append(n).append('\n'));
    header(out, "conveyor_jobs_finished_total", "counter", "Jobs that reached a terminal state, by type and status.");
    snapshot.finished().forEach((typeStatus, n) -> {
      String[] parts = typeStatus.split(" ", 2);
      out.append("conveyor_jobs_finished_total{type=\"").append(parts[0]).append("\",status=\"").append(parts[1])
          .append("\"} ").append(n).append('\n');
    });
    histogram(out, "conveyor_job_duration_seconds", "Duration of the last attempt of finished jobs.",
        snapshot.durations());
    histogram(out, "conveyor_job_queue_wait_seconds", "Time from due to the start of the first attempt.",
        snapshot.queueWaits());
    header(out, "conveyor_jobs_in_flight", "gauge", "Jobs running now.");
    out.append("conveyor_jobs_in_flight ").append(running).append('\n');
  }

  private static void histogram(StringBuilder out, String name, String help, Map<String, JobMetrics.Histogram> byType) {
    header(out, name, "histogram", help);
    byType.forEach((type, h) -> {
      long cumulative = 0;
      for (int i = 0; i <= JobMetrics.BUCKETS.length; i++) {
        cumulative += h.buckets()[i];
        String le = i < JobMetrics.BUCKETS.length ? format(JobMetrics.BUCKETS[i]) : "+Inf";
        out.append(name).append("_bucket{type=\"").append(type).append("\",le=\"").append(le).append("\"} ")
            .append(cumulative).append('\n');
      }
      out.append(name).append("_sum{type=\"").append(type).append("\"} ").append(format(h.sum())).append('\n');
      out.append(name).append("_count{type=\"").append(type).append("\"} ").append(h.count()).append('\n');
    });
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%s", value);
  }
}
