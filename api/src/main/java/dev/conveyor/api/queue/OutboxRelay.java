package dev.conveyor.api.queue;

import dev.conveyor.store.OutboxStore;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes every owed Kafka record reach Kafka. Fresh submits are sent at once ({@link #sendNow}); whatever is
 * still in the outbox when due (a send that failed, a process that died, a delayed retry or {@code runAt}) is
 * sent by a periodic sweep. Rows are locked with SKIP LOCKED, so several API processes share the sweep.
 */
public final class OutboxRelay {
  private static final Logger LOG = Logger.getLogger(OutboxRelay.class.getName());
  private static final int BATCH = 500;
  private static final long SWEEP_MS = 250;

  private final Vertx vertx;
  private final Pool pool;
  private final JobPublisher publisher;
  private long timerId = -1;
  private boolean sweeping;
  private boolean warned;

  public OutboxRelay(Vertx vertx, Pool pool, JobPublisher publisher) {
    this.vertx = vertx;
    this.pool = pool;
    this.publisher = publisher;
  }

  public void start() {
    timerId = vertx.setPeriodic(SWEEP_MS, id -> sweep());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  /** Sends fresh records and deletes their rows once acknowledged; a failure leaves them to the sweep. */
  public void sendNow(List<OutboxStore.Entry> entries) {
    publisher.publish(entries)
        .compose(v -> OutboxStore.delete(pool, entries))
        .onFailure(err -> LOG.log(Level.FINE, "direct publish failed, the sweep will retry", err));
  }

  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    pool.withTransaction(conn -> OutboxStore.lockDue(conn, BATCH)
            .compose(entries -> publisher.publish(entries)
                .compose(v -> OutboxStore.delete(conn, entries))
                .map(entries.size())))
        .onComplete(ar -> {
          sweeping = false;
          if (ar.failed()) {
            if (!warned) {
              LOG.log(Level.WARNING, "outbox relay cannot publish yet, retrying: " + ar.cause());
              warned = true;
            }
          } else {
            if (warned && ar.result() > 0) {
              LOG.info("outbox relay publishing again");
            }
            warned = false;
            if (ar.result() == BATCH) {
              vertx.runOnContext(v -> sweep());
            }
          }
        });
  }
}
