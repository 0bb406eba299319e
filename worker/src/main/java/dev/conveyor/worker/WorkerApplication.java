package dev.conveyor.worker;

import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.cache.RedisClients;
import dev.conveyor.cache.RedisKeys;
import dev.conveyor.config.Config;
import dev.conveyor.config.Shutdown;
import dev.conveyor.deps.Dependencies;
import dev.conveyor.queue.JobPublisher;
import dev.conveyor.queue.QueueAdmin;
import dev.conveyor.queue.Topics;
import dev.conveyor.recovery.Recovery;
import dev.conveyor.store.CallbackSecretStore;
import dev.conveyor.store.Database;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import dev.conveyor.worker.callbacks.CallbackDispatcher;
import dev.conveyor.worker.ops.WorkerHealth;
import dev.conveyor.worker.queue.CancelListener;
import dev.conveyor.worker.queue.JobConsumer;
import dev.conveyor.worker.run.HandlerRegistry;
import dev.conveyor.worker.run.HandlerThreads;
import dev.conveyor.worker.run.JobRunner;
import dev.conveyor.worker.run.LeaseHeartbeat;
import dev.conveyor.worker.run.StatusWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The worker process: opens PostgreSQL, Redis and Kafka, creates the topics of its types and declares them, then
 * consumes jobs under leases its heartbeat renews. It also runs the recovery loops every process runs.
 */
public final class WorkerApplication {
  private static final Logger LOG = Logger.getLogger(WorkerApplication.class.getName());
  /** After the grace period, how long the told-to-stop handlers get to return before the worker leaves anyway. */
  private static final long HAND_BACK_MAX_MS = 3_000;
  /** Exit status of a worker that had to give up a wedged handler: its supervisor should start a new one. */
  public static final int EXIT_WEDGED = 70;
  /** Exit status of a worker whose handler still ran when its leases were about to run out. */
  public static final int EXIT_LEASES_LOST = 71;

  private final Vertx vertx;
  private final Config config;
  private final Pool pool;
  private final Redis redis;
  private final QueueAdmin admin;
  private final JobPublisher publisher;
  private final Recovery recovery;
  private final LeaseHeartbeat heartbeat;
  private final JobRunner runner;
  private final JobConsumer consumer;
  private final CancelListener cancels;
  private final WorkerHealth health;
  private final ExecutorService threads;
  private final String callbacks;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile int exitStatus;

  private WorkerApplication(Vertx vertx, Config config, Pool pool, Redis redis, QueueAdmin admin,
      JobPublisher publisher, Recovery recovery, LeaseHeartbeat heartbeat, JobRunner runner, JobConsumer consumer,
      CancelListener cancels, WorkerHealth health, ExecutorService threads, String callbacks) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.redis = redis;
    this.admin = admin;
    this.publisher = publisher;
    this.recovery = recovery;
    this.heartbeat = heartbeat;
    this.runner = runner;
    this.consumer = consumer;
    this.cancels = cancels;
    this.health = health;
    this.threads = threads;
    this.callbacks = callbacks;
  }

  public static Future<WorkerApplication> start(Vertx vertx, Config config, HandlerRegistry handlers) {
    Dependencies dependencies = Dependencies.create(vertx, config);
    return Database.open(vertx, config).compose(pool -> RedisClients.open(vertx, config.redisUrl())
        .compose(redis -> QueueAdmin.open(vertx, config)
            .compose(admin -> admin.ensureTopics(handlers.declarations().keySet())
                .compose(v -> admin.tuneWorkerGroup())
                .compose(v -> new JobTypeStore(pool, dependencies.postgresql()).declare(handlers.declarations()))
                .compose(v -> wire(vertx, config, handlers, dependencies, pool, redis, admin)))));
  }

  private static Future<WorkerApplication> wire(Vertx vertx, Config config, HandlerRegistry handlers,
      Dependencies dependencies, Pool pool, Redis redis, QueueAdmin admin) {
    // One lease owner per process: a restarted worker with the same name never mistakes the old one's jobs for its own.
    String leaseOwner = config.workerId() + "/" + UUID.randomUUID();
    Topics topics = new Topics(config.namespace());
    RedisKeys keys = new RedisKeys(config.namespace());
    JobStore store = new JobStore(pool, dependencies.postgresql());
    JobTypeStore types = new JobTypeStore(pool, dependencies.postgresql());
    JobCache cache = new JobCache(redis, keys, dependencies.redis());
    JobMetrics metrics = new JobMetrics(redis, keys, dependencies.redis());
    StatusWriter writer = new StatusWriter(store, cache, metrics, new StatusWriter.Settings(config.namespace(),
        config.workerId(), leaseOwner, config.leaseMs(), config.retryBaseMs(), config.maxResultBytes(),
        config.typeConcurrency()));
    ExecutorService threads = HandlerThreads.create(config.workerConcurrency());
    JobRunner runner = new JobRunner(vertx, handlers, writer, threads, config.handlerStopMs());
    LeaseHeartbeat heartbeat = new LeaseHeartbeat(vertx, store, leaseOwner, runner::held, config.leaseMs(),
        config.heartbeatMs(), config.handlerStopMs(), leaseGuard(runner));
    CancelListener cancels = new CancelListener(vertx, RedisClients.client(vertx, config.redisUrl()),
        dependencies.redis(), keys.jobCancels(), runner);
    WorkerHealth health = new WorkerHealth(dependencies);
    // Kafka's clients resolve their servers when built, which may block: never on an event loop.
    return vertx.executeBlocking(() -> new JobPublisher(vertx, config.kafkaBootstrap(), topics, dependencies.kafka()))
        .compose(publisher -> cancels.start()
            .compose(v -> health.serve(vertx, config.workerHealthPort()))
            .compose(v -> vertx.executeBlocking(() -> new JobConsumer(config.kafkaBootstrap(), topics,
                handlers.declarations().keySet(), config.workerId(), runner, config.workerConcurrency(),
                config.typeConcurrency())))
            .compose(consumer -> {
              Recovery recovery = new Recovery(vertx, config, dependencies, pool, store, types, cache, metrics, admin,
                  publisher);
              heartbeat.start();
              recovery.start();
              return vertx.deployVerticle(dispatcher(config, store, pool, cache))
                  .compose(callbacks -> {
                    WorkerApplication app = new WorkerApplication(vertx, config, pool, redis, admin, publisher,
                        recovery, heartbeat, runner, consumer, cancels, health, threads, callbacks);
                    runner.onWedged(app::wedged);
                    return vertx.deployVerticle(consumer, JobConsumer.deployment()).map(id -> app);
                  })
                  .onSuccess(app -> LOG.info("worker " + config.workerId() + " (lease owner " + leaseOwner
                      + ") runs " + handlers.declarations().keySet() + " with " + config.workerConcurrency()
                      + " slots, and delivers callbacks " + config.callbackConcurrency() + " at a time"));
            }));
  }

  private static CallbackDispatcher dispatcher(Config config, JobStore store, Pool pool, JobCache cache) {
    return new CallbackDispatcher(store, new CallbackSecretStore(pool), cache, new CallbackDispatcher.Settings(
        config.namespace(), config.callbackAllowPrivate(), config.callbackConcurrency(), config.callbackTimeoutMs(),
        config.callbackRetryBaseMs(), config.callbackRetryForMs()));
  }

  /**
   * Keeps handlers inside their leases: while renewals fail, they are stopped and none starts; if one still runs as
   * the leases are about to run out, the process ends at once, before a reaper can hand its job to another worker.
   */
  private static LeaseHeartbeat.Listener leaseGuard(JobRunner runner) {
    return new LeaseHeartbeat.Listener() {
      @Override
      public void leasesAtRisk() {
        runner.interruptAll();
      }

      @Override
      public void leasesRenewed() {
        runner.resume();
      }

      @Override
      public void leasesRunningOut() {
        long stuck = runner.handlersRunning();
        if (stuck > 0) {
          LOG.severe(stuck + " handlers still run as this worker's leases run out; exiting at once, so that no job "
              + "runs twice once the reapers hand it on");
          Runtime.getRuntime().halt(EXIT_LEASES_LOST);
        }
      }
    };
  }

  /** What the process should exit with once stopped: 0, or {@link #EXIT_WEDGED} if it stopped for a wedged handler. */
  public int exitStatus() {
    return exitStatus;
  }

  /** Completes exceptionally if the worker stopped consuming on its own, after a fatal error. */
  public CompletableFuture<Void> ended() {
    return consumer.ended();
  }

  /**
   * Lets running jobs finish within the grace period, hands the rest back to the queue, leaves the group and closes
   * the clients. Blocks for the first part; call from a plain thread, not an event loop.
   */
  public Future<Void> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    consumer.stop(config.shutdownGraceMs(), Math.min(HAND_BACK_MAX_MS, config.handlerStopMs()));
    return closeClients();
  }

  private Future<Void> closeClients() {
    heartbeat.stop();
    recovery.stop();
    threads.shutdownNow();
    return vertx.undeploy(callbacks)
        .eventually(cancels::stop)
        .eventually(health::close)
        .eventually(() -> vertx.executeBlocking(() -> {
          publisher.close();
          admin.close();
          return null;
        }))
        .eventually(pool::close)
        .onComplete(ar -> redis.close());
  }

  /**
   * A handler ignored its stop past the hard deadline. The worker stops taking jobs, hands back the others, writes
   * the wedged attempt's outcome (its retry due only after this process is gone) and exits, so that its supervisor
   * starts a fresh one; it never leaves threads piling up.
   */
  private void wedged(JobRunner.Wedged wedged) {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    exitStatus = EXIT_WEDGED;
    String reason = "the handler of job " + wedged.job().id() + " (" + wedged.job().type() + ") ignored its stop "
        + "signal and interrupt for " + config.handlerStopMs() + " ms";
    health.unhealthy(reason);
    LOG.severe(reason + "; this worker is unhealthy: handing back its other jobs and exiting to be restarted");
    Thread exit = new Thread(() -> {
      consumer.stop(0, Math.min(HAND_BACK_MAX_MS, config.handlerStopMs()));
      Shutdown.await(runner.abandon(wedged), 10_000);
      Runtime.getRuntime().halt(EXIT_WEDGED);
    }, "conveyor-wedged-exit");
    exit.start();
  }
}
