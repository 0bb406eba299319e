package dev.conveyor.store;

import dev.conveyor.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** Opens the PostgreSQL pool: creates the database if it is missing, then applies the migrations. */
public final class Database {
  private static final int CONNECT_TIMEOUT_MS = 5000;

  private Database() {
  }

  public static Future<Pool> open(Vertx vertx, Config config) {
    PgConnectOptions options = connectOptions(config.pgUrl());
    return createIfMissing(vertx, options)
        .map(v -> PgBuilder.pool()
            .with(new PoolOptions().setName("conveyor").setMaxSize(config.pgPoolSize()).setMaxWaitQueueSize(10_000))
            .with(netOptions())
            .connectingTo(options)
            .using(vertx)
            .build())
        .compose(pool -> Migrations.apply(pool).map(pool))
        .recover(err -> Future.failedFuture(err instanceof InfraUnavailable ? err : unavailable(options, err)));
  }

  /** Statements are prepared once per connection and reused (Conveyor's SQL is a fixed set), and pipelined. */
  public static PgConnectOptions connectOptions(String url) {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    options.setPipeliningLimit(256);
    options.setCachePreparedStatements(true);
    options.setPreparedStatementCacheMaxSize(512);
    options.setPreparedStatementCacheSqlLimit(8_192);
    return options;
  }

  private static NetClientOptions netOptions() {
    // Keepalive: a connection whose server vanished without a word is noticed and dropped.
    return new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS).setTcpNoDelay(true).setTcpKeepAlive(true);
  }

  private static Future<Void> createIfMissing(Vertx vertx, PgConnectOptions options) {
    String database = options.getDatabase();
    SqlClient admin = PgBuilder.client().with(netOptions())
        .connectingTo(new PgConnectOptions(options).setDatabase("postgres")).using(vertx).build();
    return admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1").execute(Tuple.of(database))
        .compose(rows -> rows.size() > 0
            ? Future.<Void>succeededFuture()
            : admin.query("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"").execute().<Void>mapEmpty()
                .recover(err -> isDuplicateDatabase(err) ? Future.succeededFuture() : Future.failedFuture(err)))
        .eventually(admin::close)
        .recover(err -> Future.failedFuture(unavailable(options, err)));
  }

  /** Two processes starting together may both try; the loser sees 42P04, or 23505 when they truly overlap. */
  private static boolean isDuplicateDatabase(Throwable err) {
    return err instanceof PgException pg && ("42P04".equals(pg.getSqlState()) || "23505".equals(pg.getSqlState()));
  }

  private static InfraUnavailable unavailable(PgConnectOptions options, Throwable err) {
    return new InfraUnavailable("PostgreSQL at " + options.getHost() + ":" + options.getPort() + " (database "
        + options.getDatabase() + ") is not usable: " + err.getMessage()
        + ". Start PostgreSQL or point CONVEYOR_PG_URL at a running server.", err);
  }
}
