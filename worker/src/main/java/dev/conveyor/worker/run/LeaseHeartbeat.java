package dev.conveyor.worker.run;

import dev.conveyor.store.JobStore;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Renews every lease of this worker process with one statement per beat. When no beat has succeeded for half a lease
 * (PostgreSQL is away, or this worker is cut off from it), the reapers may take the jobs back before it returns, so
 * the worker stops its handlers and starts no new one ({@link Listener#leasesAtRisk}). If a handler still runs just
 * before the leases run out, the worker must go ({@link Listener#leasesRunningOut}): a job is never run by two workers
 * at once. Times are measured on the monotonic clock.
 */
public final class LeaseHeartbeat {
  private static final Logger LOG = Logger.getLogger(LeaseHeartbeat.class.getName());

  /** What the worker does when its leases are at risk, and when they are about to run out. */
  public interface Listener {
    void leasesAtRisk();

    void leasesRenewed();

    void leasesRunningOut();
  }

  private final Vertx vertx;
  private final JobStore store;
  private final String leaseOwner;
  private final long leaseNs;
  private final long beatNs;
  private final long tickMs;
  private final Listener listener;
  private long timerId = -1;
  private long renewedAt = System.nanoTime();
  private long sentAt;
  private boolean atRisk;
  private boolean runningOut;
  private boolean beating;

  public LeaseHeartbeat(Vertx vertx, JobStore store, String leaseOwner, long leaseMs, long beatMs, Listener listener) {
    this.vertx = vertx;
    this.store = store;
    this.leaseOwner = leaseOwner;
    this.leaseNs = TimeUnit.MILLISECONDS.toNanos(leaseMs);
    this.beatNs = TimeUnit.MILLISECONDS.toNanos(beatMs);
    this.tickMs = Math.max(50, Math.min(1_000, beatMs / 2));
    this.listener = listener;
    this.sentAt = System.nanoTime() - beatNs;
  }

  public void start() {
    timerId = vertx.setPeriodic(tickMs, t -> tick());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  /** Checks how fresh the leases are, and beats when it is time. */
  private void tick() {
    long now = System.nanoTime();
    long since = now - renewedAt;
    if (!atRisk && since > leaseNs / 2) {
      atRisk = true;
      LOG.warning("no lease renewal for " + TimeUnit.NANOSECONDS.toMillis(since) + " ms; stopping this worker's "
          + "running jobs and starting none until the leases are renewed");
      listener.leasesAtRisk();
    }
    if (!runningOut && since > leaseNs - TimeUnit.MILLISECONDS.toNanos(2 * tickMs)) {
      runningOut = true;
      listener.leasesRunningOut();
    }
    if (beating || now - sentAt < beatNs) {
      return;
    }
    beating = true;
    sentAt = now;
    long sent = now;
    store.renewLeases(leaseOwner, TimeUnit.NANOSECONDS.toMillis(leaseNs))
        .onSuccess(renewed -> {
          renewedAt = sent;
          runningOut = false;
          if (atRisk) {
            atRisk = false;
            LOG.info("leases renewed again; running jobs again");
            listener.leasesRenewed();
          }
        })
        .onFailure(err -> LOG.log(Level.FINE, "lease renewal failed", err))
        .onComplete(ar -> beating = false);
  }
}
