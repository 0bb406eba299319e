package dev.conveyor.it;

import dev.conveyor.api.ApiApplication;
import dev.conveyor.api.ops.Metrics;
import dev.conveyor.config.Config;
import dev.conveyor.config.Logging;
import dev.conveyor.deploy.KafkaBroker;
import dev.conveyor.deploy.Ports;
import dev.conveyor.worker.WorkerApplication;
import dev.conveyor.worker.run.HandlerRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real system under test, started once per test run: a Kafka broker (child JVM) on free ports, a fresh
 * PostgreSQL database, a namespace of its own in Redis and Kafka, the API and one worker in this JVM.
 * Tests reach it over HTTP like any client. Use with {@code @ExtendWith(TestStack.class)}.
 */
public final class TestStack implements BeforeAllCallback {
  public static final String KEY_ALPHA = "it-key-alpha";
  public static final String KEY_BETA = "it-key-beta";
  public static final String KEY_GAMMA = "it-key-gamma";
  public static final String KEY_DELTA = "it-key-delta";
  public static final String KEY_EPSILON = "it-key-epsilon";
  /** Tenant "zeta": ManyAndPartialIT's alone. */
  public static final String KEY_ZETA = "it-key-zeta";
  /** Tenant "limited": 3 requests at once, 1 more per second. */
  public static final String KEY_LIMITED = "it-key-limited";
  /** Tenant "throttled", ClientIT's alone: as "limited", 3 requests at once, 1 more per second. */
  public static final String KEY_THROTTLED = "it-key-throttled";
  /** Tenant "capped": at most 2 queued jobs. */
  public static final String KEY_CAPPED = "it-key-capped";
  /** Tenant "dashboard", DashboardIT's alone. */
  public static final String KEY_DASHBOARD = "it-key-dashboard";
  /** Tenant "stats", StatsIT's alone. */
  public static final String KEY_STATS = "it-key-stats";
  /** Tenant "onlooker": jobs that DashboardIT and StatsIT must not show; nothing counts them. */
  public static final String KEY_ONLOOKER = "it-key-onlooker";
  /** Two checkouts may run their tests at once: each names its own database with {@code CONVEYOR_IT_DATABASE}. */
  private static final String DATABASE = System.getenv().getOrDefault("CONVEYOR_IT_DATABASE", "conveyor_it");

  private static Running running;

  /** Everything the stack started, closed by JUnit at the end of the run. */
  public static final class Running implements ExtensionContext.Store.CloseableResource {
    final KafkaBroker kafka;
    final Vertx vertx;
    final PrometheusMeterRegistry registry;
    final ApiApplication api;
    final WorkerApplication worker;
    final Pool sql;
    final Map<String, String> env;
    final Path home;

    Running(KafkaBroker kafka, Vertx vertx, PrometheusMeterRegistry registry, ApiApplication api,
        WorkerApplication worker, Pool sql, Map<String, String> env, Path home) {
      this.kafka = kafka;
      this.vertx = vertx;
      this.registry = registry;
      this.api = api;
      this.worker = worker;
      this.sql = sql;
      this.env = env;
      this.home = home;
    }

    @Override
    public void close() {
      await(api.stop());
      await(worker.stop());
      await(sql.close());
      await(vertx.close());
      kafka.close();
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(Running.class, k -> start(), Running.class);
  }

  private static synchronized Running start() {
    if (running != null) {
      return running;
    }
    try {
      Logging.configure();
      Path home = Files.createTempDirectory("conveyor-it");
      File kafkaLog = home.resolve("kafka.log").toFile();
      int kafkaPort = Ports.freePair();
      KafkaBroker kafka = KafkaBroker.start(home.resolve("kafka"), kafkaPort, "384m", kafkaLog);

      PrometheusMeterRegistry registry = Metrics.newRegistry();
      Vertx vertx = Metrics.vertx(registry);
      String adminUrl = "postgresql://postgres@127.0.0.1:5432/postgres";
      SqlClient admin = PgBuilder.client().connectingTo(adminUrl).using(vertx).build();
      await(admin.query("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)").execute());
      await(admin.close());

      Map<String, String> env = new HashMap<>();
      env.put("CONVEYOR_HTTP_PORT", Integer.toString(Ports.free()));
      env.put("CONVEYOR_PG_URL", "postgresql://postgres@127.0.0.1:5432/" + DATABASE);
      env.put("CONVEYOR_REDIS_URL", "redis://127.0.0.1:6379");
      env.put("CONVEYOR_KAFKA_BOOTSTRAP", kafka.bootstrap());
      env.put("CONVEYOR_NAMESPACE", "it" + UUID.randomUUID().toString().substring(0, 8));
      env.put("CONVEYOR_API_KEYS", "alpha:" + KEY_ALPHA + ",beta:" + KEY_BETA + ",gamma:" + KEY_GAMMA + ",delta:" + KEY_DELTA
          + ",epsilon:" + KEY_EPSILON + ",zeta:" + KEY_ZETA + ",limited:" + KEY_LIMITED + ",throttled:" + KEY_THROTTLED
          + ",capped:" + KEY_CAPPED + ",dashboard:" + KEY_DASHBOARD + ",stats:" + KEY_STATS
          + ",onlooker:" + KEY_ONLOOKER);
      env.put("CONVEYOR_TENANT_LIMITS", "limited:1:3:1000,throttled:1:3:1000,capped:1000:1000:2");
      env.put("CONVEYOR_TOPIC_PARTITIONS", "6");
      env.put("CONVEYOR_WORKER_CONCURRENCY", "4");
      env.put("CONVEYOR_RETRY_BASE_MS", "1000");
      env.put("CONVEYOR_SHUTDOWN_GRACE_MS", "5000");
      Config config = Config.from(env);

      Map<String, String> workerEnv = new HashMap<>(env);
      workerEnv.put("CONVEYOR_WORKER_ID", "in-process");
      WorkerApplication worker = await(WorkerApplication.start(vertx, Config.from(workerEnv),
          HandlerRegistry.discover()));
      ApiApplication api = await(ApiApplication.start(vertx, config, registry));
      Pool sql = PgBuilder.pool().connectingTo(config.pgUrl()).using(vertx).build();
      running = new Running(kafka, vertx, registry, api, worker, sql, Map.copyOf(env), home);
      return running;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the test stack", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Running running() {
    if (running == null) {
      throw new IllegalStateException("annotate the test class with @ExtendWith(TestStack.class)");
    }
    return running;
  }

  /** The environment the stack's processes run with, for starting more of them as child JVMs. */
  public static Map<String, String> env() {
    return running().env;
  }

  public static String baseUrl() {
    return "http://127.0.0.1:" + running().env.get("CONVEYOR_HTTP_PORT");
  }

  public static PrometheusMeterRegistry registry() {
    return running().registry;
  }

  public static Vertx vertx() {
    return running().vertx;
  }

  public static Path home() {
    return running().home;
  }

  /** Runs SQL against the stack's database, for assertions on what was (not) stored. */
  public static RowSet<Row> sql(String query, Object... params) {
    return await(running().sql.preparedQuery(query).execute(Tuple.wrap(params)));
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs one statement on the server's maintenance database (outside any transaction: CREATE or DROP DATABASE). */
  public static void admin(String statement) {
    SqlClient admin = PgBuilder.client().connectingTo("postgresql://postgres@127.0.0.1:5432/postgres")
        .using(vertx()).build();
    try {
      await(admin.query(statement).execute());
    } finally {
      await(admin.close());
    }
  }


}
