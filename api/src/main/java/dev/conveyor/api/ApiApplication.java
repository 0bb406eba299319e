package dev.conveyor.api;

import dev.conveyor.api.auth.ApiKeyStore;
import dev.conveyor.callback.CallbackTargets;
import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.hints.HintInputs;
import dev.conveyor.api.http.Routes;
import dev.conveyor.api.jobs.JobCancellation;
import dev.conveyor.api.jobs.JobIntake;
import dev.conveyor.api.jobs.JobNearCache;
import dev.conveyor.api.jobs.JobQueries;
import dev.conveyor.api.jobs.JobReader;
import dev.conveyor.api.jobs.JobResponses;
import dev.conveyor.api.jobs.JobRetry;
import dev.conveyor.api.jobs.JobRoutes;
import dev.conveyor.api.jobs.KnownTypes;
import dev.conveyor.api.limits.QueueQuota;
import dev.conveyor.api.limits.RateLimitHandler;
import dev.conveyor.api.limits.RateLimiter;
import dev.conveyor.api.limits.TenantLimits;
import dev.conveyor.api.limits.TokenLeases;
import dev.conveyor.api.ops.Health;
import dev.conveyor.api.ops.Metrics;
import dev.conveyor.api.ops.OpenApiDocument;
import dev.conveyor.api.polling.ChangeNotices;
import dev.conveyor.api.polling.EventStream;
import dev.conveyor.api.polling.HeldRequests;
import dev.conveyor.api.polling.JobWatcher;
import dev.conveyor.api.polling.PollHint;
import dev.conveyor.api.schedules.ScheduleRoutes;
import dev.conveyor.api.schedules.Scheduler;
import dev.conveyor.api.stats.StatsRoutes;
import dev.conveyor.api.ui.DashboardRoutes;
import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.cache.RedisClients;
import dev.conveyor.cache.RedisKeys;
import dev.conveyor.config.Config;
import dev.conveyor.deps.Dependencies;
import dev.conveyor.queue.JobPublisher;
import dev.conveyor.queue.QueueAdmin;
import dev.conveyor.queue.Topics;
import dev.conveyor.recovery.Recovery;
import dev.conveyor.store.Database;
import dev.conveyor.store.IdempotencyStore;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import dev.conveyor.store.ScheduleStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The API process: opens PostgreSQL, Redis and Kafka, declares configured keys, then serves HTTP. It also runs the
 * recovery loops every process runs (outbox relay, lease reaper, reconciler), and fires due schedules.
 */
public final class ApiApplication {
  private static final long IDEMPOTENCY_PURGE_MS = 600_000;
  private final Vertx vertx;
  private final Pool pool;
  private final RedisAPI redis;
  private final QueueAdmin admin;
  private final JobPublisher publisher;
  private final Recovery recovery;
  private final Scheduler scheduler;
  private final ChangeNotices notices;
  private final JobWatcher watcher;
  private final long purgeTimer;
  private final HintInputs hintInputs;
  private final List<Routes> routes;
  private final String deploymentId;

  private ApiApplication(Vertx vertx, Pool pool, RedisAPI redis, QueueAdmin admin, JobPublisher publisher,
      Recovery recovery, Scheduler scheduler, ChangeNotices notices, JobWatcher watcher, long purgeTimer,
      HintInputs hintInputs, List<Routes> routes, String deploymentId) {
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.admin = admin;
    this.publisher = publisher;
    this.recovery = recovery;
    this.scheduler = scheduler;
    this.notices = notices;
    this.watcher = watcher;
    this.purgeTimer = purgeTimer;
    this.hintInputs = hintInputs;
    this.routes = routes;
    this.deploymentId = deploymentId;
  }

  /** Every route set the HTTP verticles mount, open and {@code /v1} alike: what {@code /openapi.json} describes. */
  public List<Routes> routes() {
    return routes;
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
    Dependencies dependencies = Dependencies.create(vertx, config);
    return Database.open(vertx, config).compose(pool -> RedisClients.open(vertx, config.redisUrl())
        .compose(redis -> QueueAdmin.open(vertx, config)
            .compose(admin -> new ApiKeyStore(pool, dependencies.postgresql()).declare(declaredKeys)
                // Kafka's producer resolves its servers when built, which may block: never on an event loop.
                .compose(v -> vertx.executeBlocking(() -> new JobPublisher(vertx, config.kafkaBootstrap(),
                    new Topics(config.namespace()), dependencies.kafka())))
                .compose(publisher -> wire(vertx, config, registry, limits, dependencies, pool, redis, admin,
                    publisher)))));
  }

  /** Builds the API's parts on open clients, then deploys one HTTP verticle per core. */
  private static Future<ApiApplication> wire(Vertx vertx, Config config, PrometheusMeterRegistry registry,
      TenantLimits limits, Dependencies dependencies, Pool pool, Redis redisClient, QueueAdmin admin,
      JobPublisher publisher) {
    RedisAPI redis = RedisAPI.api(redisClient);
    RedisKeys keys = new RedisKeys(config.namespace());
    JobStore store = new JobStore(pool, dependencies.postgresql());
    JobTypeStore types = new JobTypeStore(pool, dependencies.postgresql());
    JobCache cache = new JobCache(redisClient, keys, dependencies.redis());
    JobMetrics jobMetrics = new JobMetrics(redisClient, keys, dependencies.redis());
    JobNearCache near = new JobNearCache();
    HintInputs hintInputs = new HintInputs(vertx, jobMetrics, store, types, config.namespace());
    PollHint hint = new PollHint(hintInputs, config.pollMinMs(), config.pollMaxMs());

    Recovery recovery = new Recovery(vertx, config, dependencies, pool, store, types, cache, jobMetrics, admin,
        publisher);

    ChangeNotices notices = new ChangeNotices(vertx, RedisClients.client(vertx, config.redisUrl()),
        dependencies.redis(), keys.jobChanges(), near);
    JobReader reader = new JobReader(near, cache, store);
    JobWatcher watcher = new JobWatcher(vertx, reader, notices);
    HeldRequests held = new HeldRequests(config.maxHeldRequests(), config.maxHeldRequestsPerTenant());

    JobIntake intake = new JobIntake(vertx, pool, dependencies.postgresql(), config.namespace(), store,
        recovery.relay(), jobMetrics, hintInputs::accepted);
    QueueQuota quota = new QueueQuota(store, limits, config.tenantBacklog());
    KnownTypes known = new KnownTypes(types);
    JobResponses responses = new JobResponses(hint);
    CallbackTargets callbackTargets = new CallbackTargets(config.callbackAllowPrivate());
    JobRoutes jobs = new JobRoutes(intake, reader, known, responses, watcher, held,
        new JobCancellation(reader, store, cache, jobMetrics), quota,
        new JobRetry(pool, dependencies.postgresql(), store, reader, cache, quota), callbackTargets);
    JobQueries queries = new JobQueries(store, types, responses, hint);
    EventStream events = new EventStream(vertx, reader, notices, watcher, held, hint);
    Health health = new Health(dependencies, List.of(
        new Health.Probe(dependencies.postgresql(), () -> pool.query("SELECT 1").execute()),
        new Health.Probe(dependencies.kafka(), admin::check),
        new Health.Probe(dependencies.redis(), () -> redis.ping(List.of()))));
    Metrics metrics = new Metrics(registry, jobMetrics, types, store, dependencies, held, config.namespace());
    Authenticator authenticator = new Authenticator(new ApiKeyStore(pool, dependencies.postgresql()));
    RateLimitHandler rateLimits = new RateLimitHandler(
        new TokenLeases(new RateLimiter(redisClient, keys, dependencies.redis())::lease), limits);

    ScheduleRoutes schedules = new ScheduleRoutes(new ScheduleStore(pool, dependencies.postgresql(),
        config.namespace()), known, callbackTargets);
    Scheduler scheduler = new Scheduler(vertx, pool, dependencies.postgresql(), config.namespace(), recovery.relay());
    recovery.start();
    scheduler.start();
    hintInputs.start();
    long purge = vertx.setPeriodic(IDEMPOTENCY_PURGE_MS,
        t -> dependencies.postgresql().call(() -> IdempotencyStore.purgeExpired(pool)));
    List<Routes> v1 = List.of(jobs, queries, events, schedules, new StatsRoutes(store));
    return notices.start()
        .compose(v -> OpenApiDocument.load(vertx))
        .compose(openapi -> {
          List<Routes> open = List.of(health, metrics, openapi);
          // The dashboard's pages are served beside the open routes, but they are no API: routes() leaves them out.
          List<Routes> served = List.of(health, metrics, openapi, new DashboardRoutes());
          return vertx.deployVerticle(() -> new HttpVerticle(config.httpPort(), config.maxBodyBytes(), served,
                  List.of(authenticator, rateLimits), v1),
              new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
              .map(id -> new ApiApplication(vertx, pool, redis, admin, publisher, recovery, scheduler, notices,
                  watcher, purge, hintInputs, Stream.concat(open.stream(), v1.stream()).toList(), id));
        });
  }

  /**
   * Stops taking requests and lets in-flight ones finish (held ones answer at once with the state they have), then
   * closes the clients.
   */
  public Future<Void> stop() {
    watcher.close();
    return vertx.undeploy(deploymentId)
        .eventually(notices::stop)
        .eventually(() -> {
          recovery.stop();
          scheduler.stop();
          hintInputs.stop();
          vertx.cancelTimer(purgeTimer);
          return vertx.executeBlocking(() -> {
            publisher.close();
            admin.close();
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
