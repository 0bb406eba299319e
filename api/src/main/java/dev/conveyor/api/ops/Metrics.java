package dev.conveyor.api.ops;

import dev.conveyor.api.http.Routes;
import dev.conveyor.api.polling.HeldRequests;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.deps.Dependencies;
import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.Priority;
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
import java.util.List;
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
  private final Dependencies dependencies;
  private final HeldRequests held;
  private final String namespace;

  public Metrics(PrometheusMeterRegistry registry, JobMetrics jobs, JobTypeStore types, JobStore store,
      Dependencies dependencies, HeldRequests held, String namespace) {
    this.registry = registry;
    this.jobs = jobs;
    this.types = types;
    this.store = store;
    this.dependencies = dependencies;
    this.held = held;
    this.namespace = namespace;
  }

  /** A registry for one API process. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** A Vert.x instance whose HTTP server records request timings into {@code registry}. */
  public static Vertx vertx(PrometheusMeterRegistry registry) {
    MicrometerMetricsFactory micrometer = new MicrometerMetricsFactory(registry);
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(options -> new NullSafeVertxMetrics(micrometer.metrics(options)))
        .build();
  }

  @Override
  public void mount(Router router) {
    router.get("/metrics").handler(this::scrape);
  }

  /** Whatever can be read is shown: the job metrics need Redis and PostgreSQL, the rest needs neither. */
  private void scrape(RoutingContext ctx) {
    Future<JobMetrics.Snapshot> snapshot = types.names().compose(jobs::snapshot);
    Future<Long> running = store.runningCount();
    Future<Map<String, Map<Priority, JobStore.Queued>>> queued =
        store.queuedByTypeAndPriority(namespace, JobStore.QUEUED_COUNT_CAP);
    Future.join(snapshot, running, queued).onComplete(ignored -> {
      StringBuilder text = new StringBuilder(registry.scrape());
      if (snapshot.succeeded()) {
        render(text, snapshot.result());
      }
      if (running.succeeded()) {
        header(text, "conveyor_jobs_in_flight", "gauge", "Jobs running now.");
        text.append("conveyor_jobs_in_flight ").append(running.result()).append('\n');
      }
      if (queued.succeeded()) {
        renderQueued(text, queued.result());
      }
      header(text, "conveyor_held_requests", "gauge", "Long polls, waits and event streams this process holds open.");
      text.append("conveyor_held_requests ").append(held.held()).append('\n');
      renderDependencies(text, dependencies);
      ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text.toString());
    });
  }

  /** The queue's depth: what the workers have yet to start, the lag that matters to users. */
  static void renderQueued(StringBuilder out, Map<String, Map<Priority, JobStore.Queued>> queued) {
    header(out, "conveyor_jobs_queued", "gauge", "Jobs due and waiting to start, by type and priority (counted up to "
        + JobStore.QUEUED_COUNT_CAP + ").");
    queued.forEach((type, byPriority) -> byPriority.forEach((priority, q) -> out.append("conveyor_jobs_queued")
        .append(queueLabels(type, priority)).append(q.count()).append('\n')));
    header(out, "conveyor_jobs_queued_oldest_seconds", "gauge", "How long the oldest due job has waited.");
    queued.forEach((type, byPriority) -> byPriority.forEach((priority, q) -> out
        .append("conveyor_jobs_queued_oldest_seconds").append(queueLabels(type, priority))
        .append(format(q.oldestWaitMs() / 1000.0)).append('\n')));
  }

  private static String queueLabels(String type, Priority priority) {
    return "{type=\"" + type + "\",priority=\"" + priority.wire() + "\"} ";
  }

  static void renderDependencies(StringBuilder out, Dependencies dependencies) {
    header(out, "conveyor_dependency_available", "gauge",
        "1 while calls to the dependency go through, 0 while its circuit breaker is open or half open.");
    for (Dependency d : dependencies.all()) {
      out.append("conveyor_dependency_available{dependency=\"").append(d.name()).append("\"} ")
          .append(d.available() ? 1 : 0).append('\n');
    }
    header(out, "conveyor_circuit_breaker_state", "gauge", "1 for the state each dependency's circuit breaker is in.");
    for (Dependency d : dependencies.all()) {
      for (String state : List.of("closed", "open", "half_open")) {
        out.append("conveyor_circuit_breaker_state{dependency=\"").append(d.name()).append("\",state=\"")
            .append(state).append("\"} ").append(state.equals(d.breakerState()) ? 1 : 0).append('\n');
      }
    }
  }

  static void render(StringBuilder out, JobMetrics.Snapshot snapshot) {
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
