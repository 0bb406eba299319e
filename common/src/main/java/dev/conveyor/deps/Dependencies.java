package dev.conveyor.deps;

import dev.conveyor.config.Config;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The three systems every Conveyor process depends on, each behind its own circuit breaker and with a bound on how
 * long one call may take: a statement or transaction, a Redis command, a batch of records sent to Kafka.
 */
public record Dependencies(Dependency postgresql, Dependency redis, Dependency kafka) {
  /** Kafka's own delivery timeout is 20 s; past this, the call counts as an outage even if the client still waits. */
  public static final long KAFKA_TIMEOUT_MS = 30_000;

  public static Dependencies create(Vertx vertx, Config config) {
    return new Dependencies(new Dependency(vertx, "postgresql", config.pgTimeoutMs()),
        new Dependency(vertx, "redis", config.redisTimeoutMs()), new Dependency(vertx, "kafka", KAFKA_TIMEOUT_MS));
  }

  public List<Dependency> all() {
    return List.of(postgresql, redis, kafka);
  }
}
