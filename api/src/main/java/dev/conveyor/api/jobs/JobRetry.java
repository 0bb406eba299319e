package dev.conveyor.api.jobs;

import dev.conveyor.api.http.Problem;
import dev.conveyor.api.limits.QueueQuota;
import dev.conveyor.cache.JobCache;
import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.Job;
import dev.conveyor.store.JobStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Sends a tenant's failed or cancelled job around again (API.md, "Retry"): it is queued with a fresh budget of
 * attempts and its record owed, so the outbox relay sends it within a sweep. A queued, running or succeeded job
 * cannot be retried (409). With an {@code Idempotency-Key}, a repeat gets the job as it is now, retried once.
 */
public final class JobRetry {
  /** The job after the request, and whether the request repeated an earlier one with the same key. */
  public record Result(Job job, boolean replayed) {
  }

  /** The job was not the tenant's, or not failed or cancelled: the transaction must not keep the key. */
  private static final class NotRetried extends RuntimeException {
    NotRetried() {
      super(null, null, false, false);
    }
  }

  private final Pool pool;
  private final Dependency postgresql;
  private final JobStore store;
  private final JobReader reader;
  private final JobCache cache;
  private final QueueQuota quota;

  public JobRetry(Pool pool, Dependency postgresql, JobStore store, JobReader reader, JobCache cache,
      QueueQuota quota) {
    this.pool = pool;
    this.postgresql = postgresql;
    this.store = store;
    this.reader = reader;
    this.cache = cache;
    this.quota = quota;
  }

  /** @param key null when the request carries none */
  public Future<Result> retry(String tenant, UUID id, JobIntake.IdempotencyKey key) {
    Future<Result> done = quota.admit(tenant, 1).compose(v -> key == null
        ? postgresql.call(() -> JobStore.retry(pool, tenant, id)).map(retried -> new Result(retried.orElse(null), false))
        : postgresql.call(() -> pool.withTransaction(conn -> IdempotentRequests.once(conn, tenant, key,
                () -> JobStore.retry(conn, tenant, id).compose(retried -> retried.isPresent()
                    ? Future.succeededFuture(retried.get()) : Future.failedFuture(new NotRetried())),
                retried -> List.of(id))))
            .compose(outcome -> outcome.replayOf() == null
                ? Future.succeededFuture(new Result(outcome.done(), false))
                : reader.find(tenant, id).map(now -> new Result(now.orElseThrow(Problem::notFound), true))));
    return done.recover(err -> err instanceof NotRetried ? Future.succeededFuture(new Result(null, false))
            : Future.failedFuture(err))
        .compose(result -> result.job() == null ? refusal(tenant, id) : Future.succeededFuture(result))
        .compose(result -> {
          if (result.replayed()) {
            return Future.succeededFuture(result);
          }
          // Answered once the copies say queued, so a read right after the 202 never sees the failed job.
          reader.changed(result.job());
          return cache.changed(result.job()).otherwiseEmpty().map(result);
        });
  }

  /** Why nothing was retried: no such job of this tenant (404), or one in a state a retry cannot leave (409). */
  private Future<Result> refusal(String tenant, UUID id) {
    return store.find(id).compose(found -> {
      Optional<Job> mine = found.filter(job -> job.tenant().equals(tenant));
      if (mine.isEmpty()) {
        return Future.failedFuture(Problem.notFound());
      }
      return Future.failedFuture(Problem.of(409, "not-retryable", "Job cannot be retried",
          "The job is " + mine.get().status().wire() + "; only a failed or cancelled job can be retried."));
    });
  }
}
