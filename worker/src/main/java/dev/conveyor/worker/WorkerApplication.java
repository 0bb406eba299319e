package dev.conveyor.worker;

import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.cache.RedisClients;
import dev.conveyor.cache.RedisKeys;
import dev.conveyor.config.Config;
import dev.conveyor.queue.TopicSetup;
import dev.conveyor.queue.Topics;
import dev.conveyor.store.Database;
import dev.conveyor.store.JobTypeStore;
import dev.conveyor.worker.queue.CancelListener;
import dev.conveyor.worker.queue.JobConsumer;
import dev.conveyor.worker.run.HandlerRegistry;
import dev.conveyor.worker.run.HandlerThreads;
import dev.conveyor.worker.run.JobRunner;
import dev.conveyor.worker.run.StatusWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.ExecutorService;
import java.util.logging.Logger;

/** The worker process: opens PostgreSQL, Redis and Kafka, declares its job types, then consumes jobs. */
public final class WorkerApplication {
  private static final Logger LOG = Logger.getLogger(WorkerApplication.class.getName());

  private final Pool pool;
  private final Redis redis;
  private final JobConsumer consumer;
  private final CancelListener cancels;
  private final ExecutorService threads;
  private final long graceMs;

  private WorkerApplication(Pool pool, Redis redis, JobConsumer consumer, CancelListener cancels,
      ExecutorService threads, long graceMs) {
    this.pool = pool;
    this.redis = redis;
    this.consumer = consumer;
    this.cancels = cancels;
    this.threads = threads;
    this.graceMs = graceMs;
  }

  public static Future<WorkerApplication> start(Vertx vertx, Config config, HandlerRegistry handlers) {
    Topics topics = new Topics(config.namespace());
    return Database.open(vertx, config).compose(pool -> RedisClients.open(vertx, config.redisUrl())
        .compose(redis -> TopicSetup.ensure(vertx, config.kafkaBootstrap(), topics, config.topicPartitions())
            .compose(v -> new JobTypeStore(pool).declare(handlers.declarations()))
            .compose(v -> {
              RedisKeys keys = new RedisKeys(config.namespace());
              StatusWriter writer = new StatusWriter(pool, new JobCache(RedisAPI.api(redis), keys),
                  new JobMetrics(redis, keys), config.workerId(), config.retryBaseMs());
              ExecutorService threads = HandlerThreads.create(config.workerConcurrency());
              JobRunner runner = new JobRunner(vertx, handlers, writer, threads);
              CancelListener cancels = new CancelListener(vertx, RedisClients.client(vertx, config.redisUrl()),
                  keys.jobCancels(), runner);
              return cancels.start().map(started -> {
                JobConsumer consumer = new JobConsumer(config.kafkaBootstrap(), topics, config.workerId(), runner,
                    config.workerConcurrency());
                consumer.start();
                LOG.info("worker " + config.workerId() + " runs " + handlers.declarations().keySet()
                    + " with " + config.workerConcurrency() + " slots");
                return new WorkerApplication(pool, redis, consumer, cancels, threads, config.shutdownGraceMs());
              });
            })));
  }

  /** Completes exceptionally if the worker stopped consuming on its own, after a fatal error. */
  public java.util.concurrent.CompletableFuture<Void> ended() {
    return consumer.ended();
  }

  /** Blocks until running jobs finished (or the grace period ended); call from a plain thread, not an event loop. */
  public Future<Void> stop() {
    consumer.stop(graceMs);
    threads.shutdownNow();
    return cancels.stop().eventually(pool::close).onComplete(ar -> redis.close());
  }
}
