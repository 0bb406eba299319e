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
import dev.conveyor.api.ops.Metrics;
import dev.conveyor.api.polling.ChangeNotices;
import dev.conveyor.api.polling.EventStream;
import dev.conveyor.api.polling.HeldRequests;
import dev.conveyor.api.polling.JobWatcher;
import dev.conveyor.api.polling.PollHint;
import dev.conveyor.api.queue.JobPublisher;
import dev.conveyor.api.queue.KafkaProbe;
import dev.conveyor.api.queue.OutboxRelay;
import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.cache.RedisClients;
import dev.conveyor.cache.RedisKeys;
import dev.conveyor.config.Config;
import dev.conveyor.queue.TopicSetup;
import dev.conveyor.queue.Topics;
import dev.conveyor.store.Database;
import dev.conveyor.store.IdempotencyStore;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.util.List;
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

  /** @param registry where the HTTP server's timings go; {@code vertx} must come from {@link Metrics#vertx}. */
  public static Future<ApiApplication> start(Vertx vertx, Config config, PrometheusMeterRegistry registry) {
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
            .compose(v -> wire(vertx, config, registry, limits, topics, pool, redis))));
  }

  /** Builds the API's parts on open clients, then deploys one HTTP verticle per core. */
  private static Future<ApiApplication> wire(Vertx vertx, Config config, PrometheusMeterRegistry registry,
      TenantLimits limits, Topics topics, Pool pool, Redis redisClient) {
    RedisAPI redis = RedisAPI.api(redisClient);
    RedisKeys keys = new RedisKeys(config.namespace());
    JobStore store = new JobStore(pool);
    JobTypeStore types = new JobTypeStore(pool);
    JobCache cache = new JobCache(redis, keys);
    JobMetrics jobMetrics = new JobMetrics(redisClient, keys);
    JobReader reader = new JobReader(cache, store);
    PollHint hint = new PollHint(config.pollMinMs(), config.pollMaxMs());

    JobPublisher publisher = new JobPublisher(vertx, config.kafkaBootstrap(), topics);
    KafkaProbe probe = new KafkaProbe(vertx, config.kafkaBootstrap());
    OutboxRelay relay = new OutboxRelay(vertx, pool, publisher);

    ChangeNotices notices = new ChangeNotices(vertx, RedisClients.client(vertx, config.redisUrl()),
        keys.jobChanges());
    JobWatcher watcher = new JobWatcher(vertx, reader, notices);
    HeldRequests held = new HeldRequests(config.maxHeldRequests(), config.maxHeldRequestsPerTenant());

    JobRoutes jobs = new JobRoutes(new JobIntake(pool, store, relay, jobMetrics), reader, new KnownTypes(types),
        new JobResponses(hint), watcher, held, new JobCancellation(reader, store, cache, jobMetrics),
        new QueueQuota(store, limits));
    JobQueries queries = new JobQueries(store, types, hint);
    EventStream events = new EventStream(reader, notices, watcher, held, hint);
    Health health = new Health(pool, redis, probe);
    Metrics metrics = new Metrics(registry, jobMetrics, types, store);
    Authenticator authenticator = new Authenticator(new ApiKeyStore(pool));
    RateLimitHandler rateLimits = new RateLimitHandler(new RateLimiter(redis, keys), limits);

    relay.start();
    long purge = vertx.setPeriodic(IDEMPOTENCY_PURGE_MS, t -> IdempotencyStore.purgeExpired(pool));
    return notices.start()
        .compose(v -> vertx.deployVerticle(() -> new HttpVerticle(config.httpPort(), config.maxBodyBytes(),
                List.of(health, metrics), List.of(authenticator, rateLimits), List.of(jobs, queries, events)),
            new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors())))
        .map(id -> new ApiApplication(vertx, pool, redis, publisher, probe, relay, notices, purge, id));
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
