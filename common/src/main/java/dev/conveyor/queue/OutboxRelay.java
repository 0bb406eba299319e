package dev.conveyor.queue;

import dev.conveyor.deps.Dependencies;
import dev.conveyor.deps.Dependency;
import dev.conveyor.store.OutboxStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes every owed Kafka record of this namespace reach Kafka. Fresh submits are sent at once ({@link #sendNow});
 * whatever is still in the outbox when due (a send that failed, a process that died, a retry, a requeue after a
 * lost worker, {@code runAt}) is sent by a periodic sweep, which takes its rows for a while (SKIP LOCKED, then a later
 * due time) and holds no lock while it sends. So every API and worker process can run the sweep; the relay of one
 * namespace never touches another's rows.
 */
public final class OutboxRelay {
  private static final Logger LOG = Logger.getLogger(OutboxRelay.class.getName());
  private static final int BATCH = 500;
  private static final long SWEEP_MS = 250;
  /**
   * How long the rows a sweep took are its own: longer than a send may take (its time limit), so no other relay sends
   * them meanwhile. A relay that dies leaves them due again then; a send that fails, after {@link #RETRY_MS}.
   */
  private static final long HOLD_MS = Dependencies.KAFKA_TIMEOUT_MS + 5_000;
  private static final long RETRY_MS = 5_000;
  private static final int DELETE_BATCH = 5_000;
  private static final int MAX_UNDELETED = 100_000;

  private final Vertx vertx;
  private final Pool pool;
  private final String namespace;
  private final JobPublisher publisher;
  private final Dependency postgresql;
  private final List<OutboxStore.Entry> acknowledged = new ArrayList<>();
  private boolean deleting;
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

  /**
   * Sends fresh records; the rows of those acknowledged are deleted, the rest left to the sweep. Completes once Kafka
   * answered (never fails: what was not sent is the sweep's).
   */
  public Future<Void> sendNow(List<OutboxStore.Entry> entries) {
    return publisher.publish(entries)
        .onSuccess(this::delete)
        .onFailure(err -> LOG.log(Level.FINE, "direct publish failed, the sweep will retry", err))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /**
   * Deletes the rows of acknowledged records together: one statement at a time, taking everything acknowledged
   * meanwhile, so under load a delete serves many submits. A row left undeleted (too many waiting, or a failed
   * delete) only makes the sweep send its record again, which a worker then finds nothing to do for.
   */
  private void delete(List<OutboxStore.Entry> sent) {
    List<OutboxStore.Entry> batch;
    synchronized (acknowledged) {
      if (acknowledged.size() + sent.size() <= MAX_UNDELETED) {
        acknowledged.addAll(sent);
      }
      if (deleting || acknowledged.isEmpty()) {
        return;
      }
      deleting = true;
      batch = new ArrayList<>(acknowledged.subList(0, Math.min(acknowledged.size(), DELETE_BATCH)));
      acknowledged.subList(0, batch.size()).clear();
    }
    postgresql.call(() -> OutboxStore.delete(pool, batch))
        .onFailure(err -> LOG.log(Level.FINE, "cannot delete sent outbox rows; the sweep sends them again", err))
        .onComplete(ar -> {
          synchronized (acknowledged) {
            deleting = false;
          }
          delete(List.of());
        });
  }

  private static List<OutboxStore.Entry> unsent(List<OutboxStore.Entry> due, List<OutboxStore.Entry> sent) {
    Set<Long> sentIds = new HashSet<>();
    sent.forEach(e -> sentIds.add(e.id()));
    return due.stream().filter(e -> !sentIds.contains(e.id())).toList();
  }

  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    postgresql.call(() -> OutboxStore.takeDue(pool, namespace, BATCH, HOLD_MS))
        .compose(due -> publisher.publish(due)
            .recover(err -> Future.succeededFuture(List.of()))
            .compose(sent -> postgresql.call(() -> OutboxStore.delete(pool, sent)
                .compose(v -> OutboxStore.postpone(pool, unsent(due, sent), RETRY_MS))))
            .map(due.size()))
        .onComplete(ar -> {
          sweeping = false;
          if (ar.failed()) {
            LOG.log(Level.FINE, "outbox sweep failed; the next one retries", ar.cause());
          } else if (ar.result() == BATCH) {
            vertx.runOnContext(v -> sweep());
          }
        });
  }
}
