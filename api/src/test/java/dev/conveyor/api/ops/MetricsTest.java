package dev.conveyor.api.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.cache.JobMetrics;
import dev.conveyor.deps.Dependencies;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void rendersCountersAndCumulativeHistograms() {
    long[] buckets = new long[JobMetrics.BUCKETS.length + 1];
    buckets[0] = 2;
    buckets[3] = 1;
    buckets[JobMetrics.BUCKETS.length] = 1;
    JobMetrics.Histogram h = new JobMetrics.Histogram(buckets, 5000.25, 4);
    StringBuilder out = new StringBuilder();
    Metrics.render(out, new JobMetrics.Snapshot(Map.of("noop", 7L), Map.of("noop failed", 2L),
        Map.of("noop", h), Map.of("noop", h)));
    String text = out.toString();
    assertTrue(text.contains("conveyor_jobs_submitted_total{type=\"noop\"} 7\n"));
    assertTrue(text.contains("conveyor_jobs_finished_total{type=\"noop\",status=\"failed\"} 2\n"));
    assertTrue(text.contains("conveyor_job_duration_seconds_bucket{type=\"noop\",le=\"0.005\"} 2\n"));
    assertTrue(text.contains("conveyor_job_duration_seconds_bucket{type=\"noop\",le=\"0.05\"} 3\n"), text);
    assertTrue(text.contains("conveyor_job_duration_seconds_bucket{type=\"noop\",le=\"+Inf\"} 4\n"));
    assertTrue(text.contains("conveyor_job_duration_seconds_count{type=\"noop\"} 4\n"));
    assertTrue(text.contains("# TYPE conveyor_job_queue_wait_seconds histogram\n"));
  }

  @Test
  void rendersEachDependencysBreakerState() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      Dependencies dependencies = Dependencies.create(vertx, dev.conveyor.config.Config.from(Map.of()));
      StringBuilder out = new StringBuilder();
      Metrics.renderDependencies(out, dependencies);
      String text = out.toString();
      assertTrue(text.contains("conveyor_dependency_available{dependency=\"redis\"} 1\n"), text);
      assertTrue(text.contains("conveyor_circuit_breaker_state{dependency=\"kafka\",state=\"closed\"} 1\n"));
      assertTrue(text.contains("conveyor_circuit_breaker_state{dependency=\"postgresql\",state=\"open\"} 0\n"));
    } finally {
      vertx.close();
    }
  }
}
