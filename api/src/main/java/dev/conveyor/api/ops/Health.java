package dev.conveyor.api.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.http.Routes;
import dev.conveyor.deps.Dependencies;
import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.Json;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code /health/live} and {@code /health/ready}. Readiness asks PostgreSQL, Kafka and Redis (each within a short
 * time, through its circuit breaker) and names any that fail, with every breaker's state. While Redis is down the
 * API still serves, degraded: status from PostgreSQL, slower change detection, local rate limits; readiness says so.
 */
public final class Health implements Routes {
  private static final long PROBE_TIMEOUT_MS = 2_000;

  /** A probe of one dependency. */
  public record Probe(Dependency dependency, Supplier<Future<?>> check) {
  }

  private final Dependencies dependencies;
  private final List<Probe> probes;

  public Health(Dependencies dependencies, List<Probe> probes) {
    this.dependencies = dependencies;
    this.probes = probes;
  }

  @Override
  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json; charset=utf-8").end("{\"status\":\"up\"}"));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    Map<String, Future<?>> checks = new LinkedHashMap<>();
    for (Probe probe : probes) {
      checks.put(probe.dependency().name(),
          probe.dependency().call(() -> probe.check().get().timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)));
    }
    Future.join(List.copyOf(checks.values())).onComplete(ignored -> {
      ObjectNode body = Json.object();
      ObjectNode components = body.putObject("components");
      StringBuilder failing = new StringBuilder();
      checks.forEach((name, check) -> {
        components.put(name, check.succeeded() ? "up" : "down");
        if (check.failed()) {
          failing.append(failing.length() == 0 ? "" : ", ").append(name);
        }
      });
      ObjectNode breakers = body.putObject("circuitBreakers");
      dependencies.all().forEach(d -> breakers.put(d.name(), d.breakerState()));
      boolean up = failing.length() == 0;
      body.put("status", up ? "up" : "down");
      if (!up) {
        String degraded = checks.get("redis").failed() && failing.toString().equals("redis")
            ? " Serving degraded: job status from PostgreSQL, slower change detection, per-process rate limits." : "";
        body.put("type", "/problems/not-ready").put("title", "Not ready").put("status", 503)
            .put("detail", "Not answering: " + failing + "." + degraded);
      }
      ctx.response().setStatusCode(up ? 200 : 503)
          .putHeader("Content-Type", up ? "application/json; charset=utf-8" : "application/problem+json")
          .end(Json.write(body));
    });
  }
}
