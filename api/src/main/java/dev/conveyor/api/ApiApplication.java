package dev.conveyor.api;

import dev.conveyor.api.auth.ApiKeyStore;
import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.jobs.JobCancellation;
import dev.conveyor.api.jobs.JobIntake;
import dev.conveyor.api.jobs.JobQueries;
import dev.conveyor.api.jobs.JobReader;
import dev.conveyor.api.jobs.JobResponses;
import dev.conveyor.api.jobs.JobRoutes;
import dev.conveyor.api.jobs.KnownTypes;
import dev.conveyor.api.limits.QueueQuota;
import dev.conveyor.api.limits.RateLimitHandler;
import dev.conveyor.api.limits.RateLimiter;
import dev.conveyor.api.limits.TenantLimits;
import dev.conveyor.api.ops.Health;
import dev.conveyor.api.polling.ChangeNotices;
import dev.conveyor.api.polling.EventStream;
import dev.conveyor.api.polling.HeldRequests;
import dev.conveyor.api.polling.JobWatcher;
import dev.conveyor.api.polling.PollHint;
import dev.conveyor.api.queue.JobPublisher;
import dev.conveyor.api.queue.KafkaProbe;
import dev.conveyor.api.queue.OutboxRelay;
import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.RedisClients;
import dev.conveyor.cache.RedisKeys;
import dev.conveyor.config.Config;
import dev.conveyor.queue.TopicSetup;
import dev.conveyor.queue.Topics;
import dev.conveyor.store.Database;
import dev.conveyor.store.IdempotencyStore;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.util.Map;

/** The API process: opens PostgreSQL, Redis and Kafka, declares configured keys, then serves HTTP. */
public final class ApiApplication {
  private static final long IDEMPOTENCY_PURGE_MS = 600_000;
  private final Vertx vertx;
  private final Pool pool;
  private final RedisAPI redis;
  private final JobPublisher publisher;
  private final KafkaProbe probe;
  private final OutboxRelay relay;
  private final ChangeNotices notices;
  private final long purgeTimer;
  private final String deploymentId;

  private ApiApplication(Vertx vertx, Pool pool, RedisAPI redis, JobPublisher publisher, KafkaProbe probe,
      OutboxRelay relay, ChangeNotices notices, long purgeTimer, String deploymentId) {
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.publisher = publisher;
    this.probe = probe;
    this.relay = relay;
    this.notices = notices;
    this.purgeTimer = purgeTimer;
    this.deploymentId = deploymentId;
  }

  public static Future<ApiApplication> start(Vertx vertx, Config config) {
    Map<String, String> declaredKeys;
    TenantLimits limits;
    try {
      declaredKeys = ApiKeys.parseDeclared(config.apiKeys());
      limits = TenantLimits.parse(new TenantLimits.Limits(config.ratePerSecond(), config.rateBurst(),
          config.maxQueuedPerTenant()), config.tenantLimits());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Topics topics = new Topics(config.namespace());
    return Database.open(vertx, config).compose(pool -> RedisClients.open(vertx, config.redisUrl())
        .compose(redis -> TopicSetup.ensure(vertx, config.kafkaBootstrap(), topics, config.topicPartitions())
            .compose(v -> new ApiKeyStore(pool).declare(declaredKeys))
            .compose(v -> {
              JobPublisher publisher = new JobPublisher(vertx, config.kafkaBootstrap(), topics);
              KafkaProbe probe = new KafkaProbe(vertx, config.kafkaBootstrap());
              OutboxRelay relay = new OutboxRelay(vertx, pool, publisher);
              RedisKeys keys = new RedisKeys(config.namespace());
              JobCache cache = new JobCache(redis, keys);
              JobStore store = new JobStore(pool);
              JobReader reader = new JobReader(cache, store);
              ChangeNotices notices = new ChangeNotices(vertx, RedisClients.client(vertx, config.redisUrl()),
                  keys.jobChanges());
              JobWatcher watcher = new JobWatcher(vertx, reader, notices);
              HeldRequests held = new HeldRequests(config.maxHeldRequests(), config.maxHeldRequestsPerTenant());
              PollHint hint = new PollHint(config.pollMinMs(), config.pollMaxMs());
              JobRoutes jobs = new JobRoutes(new JobIntake(pool, store, relay), reader,
                  new KnownTypes(new JobTypeStore(pool)), new JobResponses(hint), watcher, held,
                  new JobCancellation(reader, store, cache), new QueueQuota(store, limits));
              RateLimitHandler rateLimits = new RateLimitHandler(new RateLimiter(redis, keys), limits);
              EventStream events = new EventStream(watcher, held, hint);
              JobQueries queries = new JobQueries(store, new JobTypeStore(pool), hint);
              Authenticator authenticator = new Authenticator(new ApiKeyStore(pool));
              Health health = new Health(pool, redis, probe);
              relay.start();
              long purge = vertx.setPeriodic(IDEMPOTENCY_PURGE_MS, t -> IdempotencyStore.purgeExpired(pool));
              return notices.start()
                  .compose(x -> vertx.deployVerticle(() -> new HttpVerticle(config.httpPort(), config.maxBodyBytes(),
                          authenticator, rateLimits, jobs, queries, events, health),
                      new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors())))
                  .map(id -> new ApiApplication(vertx, pool, redis, publisher, probe, relay, notices, purge, id));
            })));
  }

  /** Stops taking requests, lets in-flight ones finish, then closes the clients. */
  public Future<Void> stop() {
    return vertx.undeploy(deploymentId)
        .eventually(notices::stop)
        .eventually(() -> {
          relay.stop();
          vertx.cancelTimer(purgeTimer);
          return vertx.executeBlocking(() -> {
            publisher.close();
            probe.close();
            return null;
          });
        })
        .eventually(pool::close)
        .eventually(() -> {
          redis.close();
          return Future.succeededFuture();
        })
        .mapEmpty();
  }
}
