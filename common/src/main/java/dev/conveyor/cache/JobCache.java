package dev.conveyor.cache;

import dev.conveyor.deps.Dependency;
import dev.conveyor.deps.Outages;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobJson;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hot copy of jobs in Redis. Writes carry the job's version and lose to a newer one already cached, so writers
 * racing each other (worker, API, read-through fills) never leave an older state behind. A change this process could
 * not write leaves an older copy in Redis if Redis kept it; so once Redis answers again, this process drops every
 * cached job of the namespace, and readers refill from PostgreSQL.
 */
public final class JobCache {
  private static final Logger LOG = Logger.getLogger(JobCache.class.getName());
  /** Short, so that a change whose write to Redis was lost (the writer was cut off) shows within seconds anyway. */
  private static final long ACTIVE_TTL_MS = 5_000;
  private static final long TERMINAL_TTL_MS = 3_600_000;
  private static final String PUT_IF_NEWER = String.join("\n",
      "local cur = redis.call('HGET', KEYS[1], 'v')",
      "if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end",
      "redis.call('HSET', KEYS[1], 'v', ARGV[1], 'j', ARGV[2])",
      "redis.call('PEXPIRE', KEYS[1], ARGV[3])",
      "if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end",
      "return 1");

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final Dependency dependency;
  private final AtomicBoolean stale = new AtomicBoolean();
  private final AtomicBoolean purging = new AtomicBoolean();

  public JobCache(RedisAPI redis, RedisKeys keys, Dependency dependency) {
    this.redis = redis;
    this.keys = keys;
    this.dependency = dependency;
  }

  public Future<Optional<Job>> get(UUID id) {
    return call(() -> redis.hget(keys.job(id), "j"))
        .map(response -> Optional.ofNullable(response).map(Response::toString).map(JobJson::fromCache));
  }

  /** Caches a job read from PostgreSQL; announces nothing, since nothing changed. */
  public Future<Void> fill(Job job) {
    return put(job, false);
  }

  /** Caches a job that just changed and announces the change to every API process. */
  public Future<Void> changed(Job job) {
    return put(job, true).onFailure(err -> {
      if (Outages.isOutage(err)) {
        stale.set(true);
      }
      LOG.log(Level.FINE, "cannot update the Redis copy of job " + job.id(), err);
    });
  }

  /** Tells the workers that a running job was asked to stop. */
  public Future<Void> announceCancel(Job job) {
    return call(() -> redis.publish(keys.jobCancels(), job.id().toString())).mapEmpty();
  }

  private Future<Void> put(Job job, boolean announce) {
    long ttl = job.status().terminal() ? TERMINAL_TTL_MS : ACTIVE_TTL_MS;
    return call(() -> redis.eval(List.of(PUT_IF_NEWER, "1", keys.job(job.id()),
            Long.toString(job.version()), JobJson.toCache(job), Long.toString(ttl),
            announce ? keys.jobChanges() : "", job.id() + " " + job.version())))
        .mapEmpty();
  }

  private <T> Future<T> call(java.util.function.Supplier<Future<T>> command) {
    return dependency.call(command).onSuccess(v -> {
      if (stale.get()) {
        purge();
      }
    });
  }

  /** Drops every cached job of the namespace, a SCAN page at a time; a failure leaves it for the next success. */
  private void purge() {
    if (!purging.compareAndSet(false, true)) {
      return;
    }
    stale.set(false);
    purgeFrom("0").onComplete(ar -> {
      purging.set(false);
      if (ar.failed()) {
        stale.set(true);
      } else {
        LOG.info("dropped the Redis copies of jobs that may have changed while Redis could not be written");
      }
    });
  }

  private Future<Void> purgeFrom(String cursor) {
    return dependency.call(() -> redis.scan(List.of(cursor, "MATCH", keys.allJobs(), "COUNT", "1000")))
        .compose(page -> {
          List<String> found = new ArrayList<>();
          page.get(1).forEach(key -> found.add(key.toString()));
          Future<Void> dropped = found.isEmpty() ? Future.succeededFuture()
              : dependency.call(() -> redis.unlink(found)).mapEmpty();
          String next = page.get(0).toString();
          return dropped.compose(v -> "0".equals(next) ? Future.succeededFuture() : purgeFrom(next));
        });
  }
}
