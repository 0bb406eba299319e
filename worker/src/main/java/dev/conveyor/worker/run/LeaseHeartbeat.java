package dev.conveyor.worker.run;

import dev.conveyor.store.JobStore;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Renews the leases of the jobs this worker process runs with one statement per beat; a failed beat is tried again
 * at the next tick. When no beat has succeeded for so long that handlers need their stop time before the leases run
 * out (PostgreSQL is away, or this worker is cut off from it), the worker stops its handlers and starts no new one
 * ({@link Listener#leasesAtRisk}). If a handler still runs just before the leases run out, the worker must go
 * ({@link Listener#leasesRunningOut}): a job is never run by two workers at once. Times are on the monotonic clock.
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
  private final Supplier<Collection<UUID>> held;
  private final long leaseMs;
  private final LeaseDeadlines deadlines;
  private final Listener listener;
  private long timerId = -1;
  private long renewedAt = System.nanoTime();
  private long sentAt;
  private boolean atRisk;
  private boolean runningOut;
  private boolean beating;

  /**
   * @param held the jobs whose leases to renew
   * @param handlerStopMs how long a handler may take to return once told to stop: see {@link LeaseDeadlines#of}
   */
  public LeaseHeartbeat(Vertx vertx, JobStore store, String leaseOwner, Supplier<Collection<UUID>> held, long leaseMs,
      long beatMs, long handlerStopMs, Listener listener) {
    this.vertx = vertx;
    this.store = store;
    this.leaseOwner = leaseOwner;
    this.held = held;
    this.leaseMs = leaseMs;
    this.deadlines = LeaseDeadlines.of(leaseMs, beatMs, handlerStopMs);
    this.listener = listener;
    this.sentAt = System.nanoTime() - deadlines.beatNs();
  }

  public void start() {
    timerId = vertx.setPeriodic(deadlines.tickMs(), t -> tick());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  /** Checks how fresh the leases are, and beats when it is time. */
  private void tick() {
    long now = System.nanoTime();
    long since = now - renewedAt;
    if (!atRisk && deadlines.atRisk(since)) {
      atRisk = true;
      LOG.warning("no lease renewal for " + TimeUnit.NANOSECONDS.toMillis(since) + " ms; stopping this worker's "
          + "running jobs and starting none until the leases are renewed");
      listener.leasesAtRisk();
    }
    if (!runningOut && deadlines.runningOut(since)) {
      runningOut = true;
      listener.leasesRunningOut();
    }
    // After a failed beat, try again at once rather than a whole beat later.
    if (beating || (!deadlines.beatDue(now - sentAt) && renewedAt == sentAt)) {
      return;
    }
    beating = true;
    sentAt = now;
    long sent = now;
    store.renewLeases(leaseOwner, held.get(), leaseMs)
        .onSuccess(renewed -> {
          renewedAt = sent;
          runningOut = false;
          // A renewal that took so long that the leases are at risk again frees nothing.
          if (atRisk && !deadlines.atRisk(System.nanoTime() - sent)) {
            atRisk = false;
            LOG.info("leases renewed again; running jobs again");
            listener.leasesRenewed();
          }
        })
        .onFailure(err -> LOG.log(Level.FINE, "lease renewal failed", err))
        .onComplete(ar -> beating = false);
  }
}
