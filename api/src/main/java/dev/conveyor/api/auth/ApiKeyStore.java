package dev.conveyor.api.auth;

import dev.conveyor.deps.Dependency;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** All SQL on {@code api_keys}. Only hashes are stored; a revoked key stays revoked when declared again. */
public final class ApiKeyStore {
  private final SqlClient client;
  private final Dependency postgresql;

  public ApiKeyStore(SqlClient client, Dependency postgresql) {
    this.client = client;
    this.postgresql = postgresql;
  }

  public Future<Void> declare(Map<String, String> keyToTenant) {
    String[] hashes = keyToTenant.keySet().stream().map(ApiKeys::hash).toArray(String[]::new);
    String[] tenants = keyToTenant.values().toArray(String[]::new);
    return client.preparedQuery("INSERT INTO api_keys (key_hash, tenant, created_at) "
            + "SELECT h, t, now() FROM unnest($1::text[], $2::text[]) AS u(h, t) ON CONFLICT (key_hash) DO NOTHING")
        .execute(Tuple.tuple().addArrayOfString(hashes).addArrayOfString(tenants))
        .mapEmpty();
  }

  /** A stored key as the keys tool shows it: the id is the start of its hash, never the key. */
  public record KeyInfo(String id, String tenant, OffsetDateTime createdAt, OffsetDateTime revokedAt) {
  }

  public static final int ID_LENGTH = 12;

  public Future<Void> create(String tenant, String key) {
    return client.preparedQuery("INSERT INTO api_keys (key_hash, tenant, created_at) VALUES ($1, $2, now())")
        .execute(Tuple.of(ApiKeys.hash(key), tenant))
        .mapEmpty();
  }

  public Future<List<KeyInfo>> list() {
    return client.query("SELECT key_hash, tenant, created_at, revoked_at FROM api_keys ORDER BY tenant, created_at")
        .execute()
        .map(rows -> {
          List<KeyInfo> keys = new ArrayList<>();
          rows.forEach(row -> keys.add(new KeyInfo(row.getString(0).substring(0, ID_LENGTH), row.getString(1),
              row.getOffsetDateTime(2), row.getOffsetDateTime(3))));
          return keys;
        });
  }

  /** Revokes the live keys whose id is {@code id}; returns how many (0 or, very unlikely, more than 1). */
  public Future<Integer> revoke(String id) {
    return client.preparedQuery("UPDATE api_keys SET revoked_at = now() "
            + "WHERE left(key_hash, " + ID_LENGTH + ") = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(id))
        .map(rows -> rows.rowCount());
  }

  public Future<Optional<String>> tenantOf(String keyHash) {
    return postgresql.call(() -> client.preparedQuery("SELECT tenant FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(keyHash)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }
}
