package dev.conveyor.worker.run;

import dev.conveyor.store.JobStore;
import io.vertx.core.Vertx;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Renews every lease of this worker process with one statement per beat. If no beat has succeeded for most of a
 * lease, the reapers may soon take the jobs back, so the worker stops its handlers first ({@code onLeasesLost}): a
 * job is never run by two workers at once, even when this one is cut off from PostgreSQL.
 */
public final class LeaseHeartbeat {
  private static final Logger LOG = Logger.getLogger(LeaseHeartbeat.class.getName());

  private final Vertx vertx;
  private final JobStore store;
  private final String leaseOwner;
  private final long leaseMs;
  private final long beatMs;
  private final Runnable onLeasesLost;
  private final long tickMs;
  private long timerId = -1;
  private long renewedAt = System.currentTimeMillis();
  private long sentAt;
  private boolean lost;
  private boolean beating;

  public LeaseHeartbeat(Vertx vertx, JobStore store, String leaseOwner, long leaseMs, long beatMs,
      Runnable onLeasesLost) {
    this.vertx = vertx;
    this.store = store;
    this.leaseOwner = leaseOwner;
    this.leaseMs = leaseMs;
    this.beatMs = beatMs;
    this.onLeasesLost = onLeasesLost;
    this.tickMs = Math.max(50, Math.min(1_000, beatMs / 2));
  }

  public void start() {
    timerId = vertx.setPeriodic(tickMs, t -> tick());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  /** Checks the leases are still fresh (a margin of two ticks before they run out), and beats when it is time. */
  private void tick() {
    long now = System.currentTimeMillis();
    if (!lost && now > renewedAt + leaseMs - 2 * tickMs) {
      lost = true;
      LOG.warning("no lease renewal for " + (now - renewedAt) + " ms; stopping this worker's running jobs before the "
          + "reapers hand them to another worker");
      onLeasesLost.run();
    }
    if (beating || now - sentAt < beatMs) {
      return;
    }
    beating = true;
    sentAt = now;
    long sent = now;
    store.renewLeases(leaseOwner, leaseMs)
        .onSuccess(renewed -> {
          renewedAt = sent;
          if (lost) {
            lost = false;
            LOG.info("leases renewed again");
          }
        })
        .onFailure(err -> LOG.log(Level.FINE, "lease renewal failed", err))
        .onComplete(ar -> beating = false);
  }
}
