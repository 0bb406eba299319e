package dev.conveyor.api.jobs;

import dev.conveyor.api.http.Problem;
import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.jobs.Job;
import dev.conveyor.store.JobStore;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * Cancels a tenant's job: a queued job ends {@code cancelled} at once (200); a running one is flagged and its
 * worker told, and it stops at its handler's next check (202); a terminal one cannot be cancelled (409).
 */
public final class JobCancellation {
  /** A job may move between queued and running while we act; this many tries settle any such race. */
  private static final int TRIES = 3;

  /** The job after the request, and whether it is already cancelled (200) or still stopping (202). */
  public record Result(Job job, boolean done) {
  }

  private final JobReader reader;
  private final JobStore store;
  private final JobCache cache;
  private final JobMetrics metrics;

  public JobCancellation(JobReader reader, JobStore store, JobCache cache, JobMetrics metrics) {
    this.reader = reader;
    this.store = store;
    this.cache = cache;
    this.metrics = metrics;
  }

  public Future<Result> cancel(String tenant, UUID id) {
    return reader.find(tenant, id).compose(found -> found.isEmpty()
        ? Future.failedFuture(Problem.notFound())
        : attempt(id, TRIES));
  }

  private Future<Result> attempt(UUID id, int triesLeft) {
    return store.cancelQueued(id).compose(cancelled -> {
      if (cancelled.isPresent()) {
        reader.changed(cancelled.get());
        return cache.changed(cancelled.get()).otherwiseEmpty()
            .compose(v -> metrics.finished(cancelled.get(), null).otherwiseEmpty())
            .map(new Result(cancelled.get(), true));
      }
      return store.requestCancel(id).compose(flagged -> {
        if (flagged.isPresent()) {
          Job job = flagged.get();
          reader.changed(job);
          return cache.changed(job).otherwiseEmpty()
              .compose(v -> cache.announceCancel(job).otherwiseEmpty())
              .map(new Result(job, false));
        }
        return store.find(id).compose(now -> {
          if (now.isPresent() && now.get().status().terminal()) {
            return Future.failedFuture(Problem.of(409, "already-terminal", "Job already finished",
                "The job is " + now.get().status().wire() + " and can no longer be cancelled."));
          }
          return triesLeft > 1 ? attempt(id, triesLeft - 1)
              : Future.failedFuture(Problem.of(409, "conflict", "Conflict", "The job changed state; retry."));
        });
      });
    });
  }
}
