package dev.conveyor.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Applies {@code db/V<n>__*.sql} from the class path in order, once each. Processes that start together
 * serialise on an advisory lock, so exactly one applies a migration.
 */
final class Migrations {
  private static final Logger LOG = Logger.getLogger(Migrations.class.getName());
  private static final long LOCK_KEY = 0x636f6e7665796f72L;
  private static final List<String> FILES = List.of("V1__jobs.sql", "V2__idempotency.sql", "V3__queries.sql",
      "V4__leases.sql", "V5__fewer_indexes.sql", "V6__retry_and_schedules.sql",
      "V7__queues_and_type_limits.sql", "V8__callbacks.sql", "V9__trace.sql", "V10__stats.sql",
      "V11__handler_start.sql", "V12__queue_order.sql");

  private Migrations() {
  }

  static Future<Void> apply(Pool pool) {
    return pool.withTransaction(conn -> conn.query("SET LOCAL client_min_messages TO warning").execute()
        .compose(v -> conn.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS schema_migrations ("
            + "version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())").execute())
        .compose(v -> conn.query("SELECT version FROM schema_migrations").execute())
        .compose(rows -> {
          List<Integer> applied = new ArrayList<>();
          rows.forEach(row -> applied.add(row.getInteger(0)));
          Future<Void> chain = Future.succeededFuture();
          for (String file : FILES) {
            int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
            if (!applied.contains(version)) {
              chain = chain.compose(v -> applyOne(conn, file, version));
            }
          }
          return chain;
        }));
  }

  private static Future<Void> applyOne(SqlConnection conn, String file, int version) {
    LOG.info("applying migration " + file);
    return conn.query(read(file)).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO schema_migrations (version) VALUES ($1)")
            .execute(Tuple.of(version)))
        .mapEmpty();
  }

  private static String read(String file) {
    try (InputStream in = Migrations.class.getResourceAsStream("/db/" + file)) {
      if (in == null) {
        throw new IllegalStateException("migration missing from class path: db/" + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
