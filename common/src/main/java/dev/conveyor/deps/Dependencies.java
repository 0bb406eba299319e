package dev.conveyor.deps;

import dev.conveyor.config.Config;
import io.vertx.core.Vertx;
import java.util.List;

/** The three systems every Conveyor process depends on, each behind its own circuit breaker. */
public record Dependencies(Dependency postgresql, Dependency redis, Dependency kafka) {

  public static Dependencies create(Vertx vertx, Config config) {
    return new Dependencies(new Dependency(vertx, "postgresql", 0), new Dependency(vertx, "redis", config.redisTimeoutMs()),
        new Dependency(vertx, "kafka", 0));
  }

  public List<Dependency> all() {
    return List.of(postgresql, redis, kafka);
  }
}
