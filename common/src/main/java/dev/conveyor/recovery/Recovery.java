package dev.conveyor.recovery;

import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.config.Config;
import dev.conveyor.deps.Dependencies;
import dev.conveyor.queue.JobPublisher;
import dev.conveyor.queue.OutboxRelay;
import dev.conveyor.queue.QueueAdmin;
import dev.conveyor.queue.Reconciler;
import dev.conveyor.queue.Topics;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * What keeps every accepted job moving whatever crashes, run by every API and worker process of a namespace: the
 * outbox relay (records owed reach Kafka), the lease reaper (jobs of dead workers are taken back) and the reconciler
 * (records Kafka lost are sent again). Any one process suffices; several share the work. It also asks Kafka every
 * few seconds whether the cluster answers, so that a Kafka outage opens its breaker and is logged like any other.
 */
public final class Recovery {
  private static final long KAFKA_PROBE_MS = 2_000;

  private final Vertx vertx;
  private final Dependencies dependencies;
  private final QueueAdmin admin;
  private final OutboxRelay relay;
  private final LeaseReaper reaper;
  private final Reconciler reconciler;
  private long probeTimer = -1;

  public Recovery(Vertx vertx, Config config, Dependencies dependencies, Pool pool, JobStore jobs, JobTypeStore types,
      JobCache cache, JobMetrics metrics, QueueAdmin admin, JobPublisher publisher) {
    this.vertx = vertx;
    this.dependencies = dependencies;
    this.admin = admin;
    this.relay = new OutboxRelay(vertx, pool, config.namespace(), publisher, dependencies.postgresql());
    this.reaper = new LeaseReaper(vertx, jobs, cache, metrics, config.namespace(), config.leaseMs());
    this.reconciler = new Reconciler(vertx, admin, jobs, types, new Topics(config.namespace()),
        config.reconcileAfterMs());
  }

  public OutboxRelay relay() {
    return relay;
  }

  public void start() {
    relay.start();
    reaper.start();
    reconciler.start();
    probeTimer = vertx.setPeriodic(KAFKA_PROBE_MS, t -> dependencies.kafka().call(admin::check));
  }

  public void stop() {
    relay.stop();
    reaper.stop();
    reconciler.stop();
    vertx.cancelTimer(probeTimer);
  }
}
