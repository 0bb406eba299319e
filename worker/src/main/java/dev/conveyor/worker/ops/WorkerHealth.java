package dev.conveyor.worker.ops;

import dev.conveyor.deps.Dependencies;
import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Whether this worker is fit to run jobs, for its supervisor: {@code /health/live} turns 503 once the worker is
 * wedged (a handler ignored its stop), {@code /health/ready} also while a dependency's circuit is open. Served only
 * when {@code CONVEYOR_WORKER_HEALTH_PORT} is set; a wedged worker also exits, so it is restarted either way.
 */
public final class WorkerHealth {
  private final Dependencies dependencies;
  private volatile String unhealthy;
  private HttpServer server;

  public WorkerHealth(Dependencies dependencies) {
    this.dependencies = dependencies;
  }

  public void unhealthy(String reason) {
    unhealthy = reason;
  }

  public Future<Void> serve(Vertx vertx, int port) {
    if (port == 0) {
      return Future.succeededFuture();
    }
    server = vertx.createHttpServer().requestHandler(this::answer);
    return server.listen(port).mapEmpty();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void answer(HttpServerRequest request) {
    ObjectNode body = Json.object();
    boolean ok;
    switch (request.path()) {
      case "/health/live" -> ok = unhealthy == null;
      case "/health/ready" -> {
        ObjectNode components = body.putObject("components");
        boolean all = true;
        for (Dependency dependency : dependencies.all()) {
          components.put(dependency.name(), dependency.available() ? "up" : "down");
          all &= dependency.available();
        }
        ok = unhealthy == null && all;
      }
      default -> {
        request.response().setStatusCode(404).end();
        return;
      }
    }
    body.put("status", ok ? "up" : "down");
    if (unhealthy != null) {
      body.put("detail", unhealthy);
    }
    request.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "application/json")
        .end(Json.write(body));
  }
}
