package dev.conveyor.api.ops;

import dev.conveyor.api.http.Routes;
import dev.conveyor.api.queue.KafkaProbe;
import dev.conveyor.jobs.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /health/live} and {@code /health/ready}: the latter asks PostgreSQL, Kafka and Redis, and names any that fail. */
public final class Health implements Routes {
  private final Pool pool;
  private final RedisAPI redis;
  private final KafkaProbe kafka;

  public Health(Pool pool, RedisAPI redis, KafkaProbe kafka) {
    this.pool = pool;
    this.redis = redis;
    this.kafka = kafka;
  }

  @Override
  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json; charset=utf-8").end("{\"status\":\"up\"}"));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    Map<String, Future<?>> checks = new LinkedHashMap<>();
    checks.put("postgresql", pool.query("SELECT 1").execute());
    checks.put("kafka", kafka.check());
    checks.put("redis", redis.ping(List.of()));
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
      boolean up = failing.length() == 0;
      body.put("status", up ? "up" : "down");
      if (!up) {
        body.put("type", "/problems/not-ready").put("title", "Not ready").put("status", 503)
            .put("detail", "Not answering: " + failing + ".");
      }
      ctx.response().setStatusCode(up ? 200 : 503)
          .putHeader("Content-Type", up ? "application/json; charset=utf-8" : "application/problem+json")
          .end(Json.write(body));
    });
  }
}
