package dev.conveyor.cache;

import dev.conveyor.batch.Batcher;
import dev.conveyor.deps.Dependency;
import dev.conveyor.deps.Outages;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobJson;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
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
  /**
   * Writes the copy unless a newer one is there. A change is announced even then: a reader may have filled the
   * same version from PostgreSQL first (fills announce nothing), and listeners ignore versions they already have.
   */
  private static final RedisScript PUT_IF_NEWER = new RedisScript(String.join("\n",
      "if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end",
      "local cur = redis.call('HGET', KEYS[1], 'v')",
      "if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end",
      "redis.call('HSET', KEYS[1], 'v', ARGV[1], 'j', ARGV[2])",
      "redis.call('PEXPIRE', KEYS[1], ARGV[3])",
      "return 1"));
  /** Writes of concurrent changes share one pipelined batch; at most this many jobs wait for one. */
  private static final Batcher.Limits BATCHES = new Batcher.Limits(2, 1_000, 100_000);

  /** One copy to write: the job, and whether to announce it as a change. */
  private record Put(Job job, boolean announce) {
  }

  private final Redis client;
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final Dependency dependency;
  private final AtomicBoolean stale = new AtomicBoolean();
  private final AtomicBoolean purging = new AtomicBoolean();
  private final Batcher<Put, Void> puts = Batcher.of("cache writes", BATCHES, this::write);

  public JobCache(Redis client, RedisKeys keys, Dependency dependency) {
    this.client = client;
    this.redis = RedisAPI.api(client);
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
    return puts.submit(new Put(job, announce));
  }

  private Future<List<Void>> write(List<Put> batch) {
    List<RedisScript.Call> calls = new ArrayList<>(batch.size());
    for (Put put : batch) {
      Job job = put.job();
      long ttl = job.status().terminal() ? TERMINAL_TTL_MS : ACTIVE_TTL_MS;
      calls.add(new RedisScript.Call(List.of(keys.job(job.id())), List.of(Long.toString(job.version()),
          JobJson.toCache(job), Long.toString(ttl), put.announce() ? keys.jobChanges() : "",
          job.id() + " " + job.version())));
    }
    return call(() -> PUT_IF_NEWER.run(client, calls)).map(answers -> java.util.Collections.nCopies(batch.size(), null));
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
