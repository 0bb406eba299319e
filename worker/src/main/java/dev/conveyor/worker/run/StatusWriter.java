package dev.conveyor.worker.run;

import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobError;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Progress;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.OutboxStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes a job's changes: PostgreSQL first (a conditional update), then the Redis copy with its change notice.
 * A write that finds the job no longer in the expected state changes nothing and returns empty.
 */
public final class StatusWriter {
  private static final Logger LOG = Logger.getLogger(StatusWriter.class.getName());

  private final Pool pool;
  private final JobStore store;
  private final JobCache cache;
  private final JobMetrics metrics;
  private final String workerId;
  private final long retryBaseMs;

  public StatusWriter(Pool pool, JobCache cache, JobMetrics metrics, String workerId, long retryBaseMs) {
    this.pool = pool;
    this.store = new JobStore(pool);
    this.cache = cache;
    this.metrics = metrics;
    this.workerId = workerId;
    this.retryBaseMs = retryBaseMs;
  }

  public Future<Optional<Job>> claim(UUID id) {
    return announce(store.claim(id, workerId))
        .onSuccess(claimed -> claimed.ifPresent(job -> record(metrics.started(job))));
  }

  public Future<Optional<Job>> progress(Job job, Progress progress) {
    return announce(store.progress(job.id(), job.attempts(), progress));
  }

  /** Writes the attempt's outcome; {@code job} is the job as claimed, so its {@code updatedAt} is the attempt's start. */
  public Future<Optional<Job>> finish(Job job, Outcome outcome) {
    return write(job, outcome).onSuccess(written -> written.filter(j -> j.status().terminal())
        .ifPresent(done -> record(metrics.finished(done, job.updatedAt()))));
  }

  private Future<Optional<Job>> write(Job job, Outcome outcome) {
    if (outcome instanceof Outcome.Succeeded s) {
      return announce(store.succeed(job.id(), job.attempts(), s.result()));
    }
    if (outcome instanceof Outcome.Cancelled) {
      return announce(store.end(job.id(), job.attempts(), JobStatus.CANCELLED, null));
    }
    if (outcome instanceof Outcome.Interrupted) {
      return requeue(job, new JobError("interrupted", "the worker stopped during the attempt"), false, Instant.now());
    }
    JobError error = ((Outcome.Failed) outcome).error();
    if (job.attempts() >= job.maxAttempts()) {
      return announce(store.end(job.id(), job.attempts(), JobStatus.FAILED, error));
    }
    return requeue(job, error, true, Instant.now().plusMillis(Backoff.delayMs(job.attempts(), retryBaseMs)));
  }

  /** Back to queued, with the record owed again at {@code due}; an attempt the worker cut short is not counted. */
  private Future<Optional<Job>> requeue(Job job, JobError error, boolean attemptCounts, Instant due) {
    return announce(pool.withTransaction(conn -> JobStore.requeue(conn, job.id(), job.attempts(), error, attemptCounts)
        .compose(requeued -> requeued.isEmpty()
            ? Future.succeededFuture(requeued)
            : OutboxStore.add(conn, List.of(job.id()), List.of(job.type()), List.of(due)).map(requeued))));
  }

  /** Hands a record of a type this worker lacks back to the queue, after a pause, without using an attempt. */
  public Future<Void> release(UUID id, String type, long delayMs) {
    return OutboxStore.add(pool, List.of(id), List.of(type), List.of(Instant.now().plusMillis(delayMs))).mapEmpty();
  }

  private static void record(Future<Void> metric) {
    metric.onFailure(err -> LOG.log(Level.FINE, "cannot record a job metric", err));
  }

  private Future<Optional<Job>> announce(Future<Optional<Job>> change) {
    return change.onSuccess(changed -> changed.ifPresent(job -> cache.changed(job)
        .onFailure(err -> LOG.log(Level.WARNING, "cannot update the Redis copy of job " + job.id(), err))));
  }
}
