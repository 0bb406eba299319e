package dev.conveyor.api.polling;

import dev.conveyor.api.jobs.JobNearCache;
import dev.conveyor.cache.Subscription;
import dev.conveyor.deps.Dependency;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Job change notices from Redis pub/sub, one subscription per API process, handed to local watchers.
 * Whichever process (worker or API) changes a job publishes; every API process hears it within milliseconds.
 * A watch fires once; register it before reading the state, so no change slips between read and wait.
 */
public final class ChangeNotices {
  private final Vertx vertx;
  private final Subscription subscription;
  private final ConcurrentHashMap<UUID, Set<Watch>> watches = new ConcurrentHashMap<>();

  /** One wait for the next change of one job; completes on the context that created it. */
  public final class Watch {
    private final UUID id;
    private final Context context;
    private final Promise<Void> changed = Promise.promise();

    private Watch(UUID id, Context context) {
      this.id = id;
      this.context = context;
    }

    public Future<Void> changed() {
      return changed.future();
    }

    void fire() {
      context.runOnContext(v -> changed.tryComplete());
    }

    public void close() {
      watches.computeIfPresent(id, (k, set) -> {
        set.remove(this);
        return set.isEmpty() ? null : set;
      });
    }
  }

  private final JobNearCache near;

  /** @param near hears every notice before the job's watchers wake, and whether notices are heard at all */
  public ChangeNotices(Vertx vertx, Redis redis, Dependency dependency, String channel, JobNearCache near) {
    this.vertx = vertx;
    this.near = near;
    // When the subscription is lost, and again when it is back, every watcher re-reads: a change may have gone unheard.
    this.subscription = new Subscription(vertx, redis, dependency, channel, this::onNotice, () -> {
      near.hearing(listening());
      wakeAll();
    });
  }

  /** False while notices cannot be heard; watchers then look for themselves, more often. */
  public boolean listening() {
    return subscription.connected();
  }

  /** Wakes every watcher, e.g. so that held requests answer at once when the process stops. */
  public void wakeAll() {
    watches.keySet().forEach(this::fire);
  }

  public Future<Void> start() {
    return subscription.start().onSuccess(v -> near.hearing(true));
  }

  public Future<Void> stop() {
    return subscription.stop();
  }

  public Watch watch(UUID id) {
    Watch watch = new Watch(id, vertx.getOrCreateContext());
    watches.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(watch);
    return watch;
  }

  /** A notice is {@code <id> <version>}. */
  private void onNotice(String payload) {
    int space = payload.indexOf(' ');
    try {
      UUID id = UUID.fromString(space < 0 ? payload : payload.substring(0, space));
      near.changed(id, space < 0 ? Long.MAX_VALUE : Long.parseLong(payload.substring(space + 1)));
      fire(id);
    } catch (IllegalArgumentException notAJobNotice) {
      // not ours to handle
    }
  }

  private void fire(UUID id) {
    Set<Watch> waiting = watches.remove(id);
    if (waiting != null) {
      waiting.forEach(Watch::fire);
    }
  }
}
