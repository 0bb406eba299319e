package dev.conveyor.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** All SQL on {@code idempotency_keys}. Keys live 24 h; the lock methods run inside the accepting transaction. */
public final class IdempotencyStore {
  private static final String LIVE = "created_at > now() - interval '24 hours'";

  /** What a key already stands for: the hash of the request that used it and the jobs it created. */
  public record Entry(String requestHash, List<UUID> jobIds) {
  }

  private IdempotencyStore() {
  }

  /** False when another transaction is accepting a request with this key right now. */
  public static Future<Boolean> tryLock(SqlClient conn, String tenant, String key) {
    return conn.preparedQuery("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))")
        .execute(Tuple.of(tenant + "\n" + key))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  public static Future<Optional<Entry>> find(SqlClient conn, String tenant, String key) {
    return conn.preparedQuery("SELECT request_hash, job_ids FROM idempotency_keys "
            + "WHERE tenant = $1 AND key = $2 AND " + LIVE)
        .execute(Tuple.of(tenant, key))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          var row = rows.iterator().next();
          return Optional.of(new Entry(row.getString(0), List.of(row.getArrayOfUUIDs(1))));
        });
  }

  /** Records the key; an expired entry under the same key is replaced. */
  public static Future<Void> remember(SqlClient conn, String tenant, String key, String requestHash,
      List<UUID> jobIds) {
    return conn.preparedQuery("INSERT INTO idempotency_keys (tenant, key, request_hash, job_ids, created_at) "
            + "VALUES ($1, $2, $3, $4, now()) ON CONFLICT (tenant, key) DO UPDATE SET "
            + "request_hash = EXCLUDED.request_hash, job_ids = EXCLUDED.job_ids, created_at = EXCLUDED.created_at")
        .execute(Tuple.of(tenant, key, requestHash, jobIds.toArray(UUID[]::new)))
        .mapEmpty();
  }

  public static Future<Integer> purgeExpired(SqlClient client) {
    return client.query("DELETE FROM idempotency_keys WHERE NOT (" + LIVE + ")").execute()
        .map(rows -> rows.rowCount());
  }
}
