package dev.conveyor.recovery;

import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.store.JobStore;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Recovers jobs whose worker died: every process (API and worker) runs one, and SKIP LOCKED shares the work. A job
 * whose lease ran out spends its attempt and is queued again, or ends {@code failed} with {@code worker_lost} once
 * its attempts are spent, or {@code cancelled} if a cancel was asked. It looks every {@link #periodMs}, so a job is
 * recovered within the lease plus that period of its worker's last heartbeat.
 */
public final class LeaseReaper {
  private static final Logger LOG = Logger.getLogger(LeaseReaper.class.getName());
  private static final int BATCH = 500;

  private final Vertx vertx;
  private final JobStore store;
  private final JobCache cache;
  private final JobMetrics metrics;
  private final String namespace;
  private final long periodMs;
  private long timerId = -1;
  private boolean reaping;

  public LeaseReaper(Vertx vertx, JobStore store, JobCache cache, JobMetrics metrics, String namespace, long leaseMs) {
    this.vertx = vertx;
    this.store = store;
    this.cache = cache;
    this.metrics = metrics;
    this.namespace = namespace;
    this.periodMs = periodMs(leaseMs);
  }

  /** A tenth of the lease, between 100 ms and a second. */
  public static long periodMs(long leaseMs) {
    return Math.max(100, Math.min(1_000, leaseMs / 10));
  }

  public void start() {
    timerId = vertx.setPeriodic(periodMs, t -> reap());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  private void reap() {
    if (reaping) {
      return;
    }
    reaping = true;
    store.reapExpiredLeases(namespace, BATCH)
        .onSuccess(this::announce)
        .onComplete(ar -> {
          reaping = false;
          if (ar.failed()) {
            LOG.log(Level.FINE, "lease reaper cannot reach PostgreSQL; the next round retries", ar.cause());
          } else if (ar.result().size() == BATCH) {
            vertx.runOnContext(v -> reap());
          }
        });
  }

  private void announce(List<Job> reaped) {
    for (Job job : reaped) {
      LOG.warning("job " + job.id() + " (" + job.type() + "): its worker stopped renewing the lease of attempt "
          + job.attempts() + "/" + job.maxAttempts() + "; now " + job.status().wire());
      cache.changed(job);
      if (job.status() != JobStatus.QUEUED) {
        metrics.finished(job, null);
      }
    }
  }
}
