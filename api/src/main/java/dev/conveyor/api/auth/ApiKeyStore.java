package dev.conveyor.api.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.Optional;

/** All SQL on {@code api_keys}. Only hashes are stored; a revoked key stays revoked when declared again. */
public final class ApiKeyStore {
  private final SqlClient client;

  public ApiKeyStore(SqlClient client) {
    this.client = client;
  }

  public Future<Void> declare(Map<String, String> keyToTenant) {
    String[] hashes = keyToTenant.keySet().stream().map(ApiKeys::hash).toArray(String[]::new);
    String[] tenants = keyToTenant.values().toArray(String[]::new);
    return client.preparedQuery("INSERT INTO api_keys (key_hash, tenant, created_at) "
            + "SELECT h, t, now() FROM unnest($1::text[], $2::text[]) AS u(h, t) ON CONFLICT (key_hash) DO NOTHING")
        .execute(Tuple.tuple().addArrayOfString(hashes).addArrayOfString(tenants))
        .mapEmpty();
  }

  public Future<Optional<String>> tenantOf(String keyHash) {
    return client.preparedQuery("SELECT tenant FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(keyHash))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }
}
