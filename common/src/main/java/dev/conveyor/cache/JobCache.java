package dev.conveyor.cache;

import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobJson;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The hot copy of jobs in Redis. Writes carry the job's version and lose to a newer one already cached,
 * so writers racing each other (worker, API, read-through fills) never leave an older state behind.
 */
public final class JobCache {
  private static final long ACTIVE_TTL_MS = 60_000;
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

  public JobCache(RedisAPI redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  public Future<Optional<Job>> get(UUID id) {
    return redis.hget(keys.job(id), "j")
        .map(response -> Optional.ofNullable(response).map(Response::toString).map(JobJson::fromCache));
  }

  /** Caches a job read from PostgreSQL; announces nothing, since nothing changed. */
  public Future<Void> fill(Job job) {
    return put(job, false);
  }

  /** Caches a job that just changed and announces the change to every API process. */
  public Future<Void> changed(Job job) {
    return put(job, true);
  }

  /** Tells the workers that a running job was asked to stop. */
  public Future<Void> announceCancel(Job job) {
    return redis.publish(keys.jobCancels(), job.id().toString()).mapEmpty();
  }

  private Future<Void> put(Job job, boolean announce) {
    long ttl = job.status().terminal() ? TERMINAL_TTL_MS : ACTIVE_TTL_MS;
    return redis.eval(List.of(PUT_IF_NEWER, "1", keys.job(job.id()),
            Long.toString(job.version()), JobJson.toCache(job), Long.toString(ttl),
            announce ? keys.jobChanges() : "", job.id() + " " + job.version()))
        .mapEmpty();
  }
}
