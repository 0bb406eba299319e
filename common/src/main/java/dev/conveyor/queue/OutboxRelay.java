package dev.conveyor.queue;

import dev.conveyor.deps.Dependency;
import dev.conveyor.store.OutboxStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes every owed Kafka record of this namespace reach Kafka. Fresh submits are sent at once ({@link #sendNow});
 * whatever is still in the outbox when due (a send that failed, a process that died, a retry, a requeue after a
 * lost worker, {@code runAt}) is sent by a periodic sweep. Rows are locked with SKIP LOCKED, so every API and worker
 * process can run the sweep; the relay of one namespace never touches another's rows.
 */
public final class OutboxRelay {
  private static final Logger LOG = Logger.getLogger(OutboxRelay.class.getName());
  private static final int BATCH = 500;
  private static final long SWEEP_MS = 250;
  private static final long FAILED_SEND_DELAY_MS = 5_000;

  private final Vertx vertx;
  private final Pool pool;
  private final String namespace;
  private final JobPublisher publisher;
  private final Dependency postgresql;
  private long timerId = -1;
  private boolean sweeping;

  public OutboxRelay(Vertx vertx, Pool pool, String namespace, JobPublisher publisher, Dependency postgresql) {
    this.vertx = vertx;
    this.pool = pool;
    this.namespace = namespace;
    this.publisher = publisher;
    this.postgresql = postgresql;
  }

  public void start() {
    timerId = vertx.setPeriodic(SWEEP_MS, id -> sweep());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  /** Sends fresh records and deletes the rows of those acknowledged; the rest are left to the sweep. */
  public void sendNow(List<OutboxStore.Entry> entries) {
    publisher.publish(entries)
        .compose(sent -> postgresql.call(() -> OutboxStore.delete(pool, sent)))
        .onFailure(err -> LOG.log(Level.FINE, "direct publish failed, the sweep will retry", err));
  }

  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    postgresql.call(() -> pool.withTransaction(conn -> OutboxStore.lockDue(conn, namespace, BATCH)
            .compose(due -> publisher.publish(due)
                .recover(err -> Future.succeededFuture(List.of()))
                .compose(sent -> OutboxStore.delete(conn, sent)
                    .compose(v -> OutboxStore.postpone(conn, unsent(due, sent), FAILED_SEND_DELAY_MS))
                    .map(due.size())))))
        .onComplete(ar -> {
          sweeping = false;
          if (ar.failed()) {
            LOG.log(Level.FINE, "outbox sweep failed; the next one retries", ar.cause());
          } else if (ar.result() == BATCH) {
            vertx.runOnContext(v -> sweep());
          }
        });
  }

  private static List<OutboxStore.Entry> unsent(List<OutboxStore.Entry> due, List<OutboxStore.Entry> sent) {
    Set<Long> sentIds = new HashSet<>();
    sent.forEach(e -> sentIds.add(e.id()));
    return due.stream().filter(e -> !sentIds.contains(e.id())).toList();
  }
}
