package dev.conveyor.worker.queue;

import dev.conveyor.cache.Subscription;
import dev.conveyor.deps.Dependency;
import dev.conveyor.worker.run.JobRunner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.UUID;

/**
 * Hears cancel requests on Redis pub/sub and passes them to the job runs of this worker, so a running job learns
 * of its cancellation within milliseconds. (Progress writes also bring the flag back, should a notice be lost.)
 */
public final class CancelListener {
  private final Subscription subscription;

  public CancelListener(Vertx vertx, Redis redis, Dependency dependency, String channel, JobRunner runner) {
    this.subscription = new Subscription(vertx, redis, dependency, channel, payload -> {
      try {
        runner.cancelRequested(UUID.fromString(payload));
      } catch (IllegalArgumentException notAJobId) {
        // nothing of ours
      }
    }, () -> { });
  }

  public Future<Void> start() {
    return subscription.start();
  }

  public Future<Void> stop() {
    return subscription.stop();
  }
}
