package dev.conveyor.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * All SQL on {@code callback_secrets}: each tenant's secret for signing callbacks. The newest unretired secret signs;
 * rotating retires it and makes a new one in one transaction, so exactly one signs at any time.
 */
public final class CallbackSecretStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CURRENT = "SELECT secret FROM callback_secrets WHERE tenant = $1 AND retired_at IS NULL";
  private static final String CREATE_IF_NONE = "INSERT INTO callback_secrets (tenant, secret, created_at) "
      + "VALUES ($1, $2, clock_timestamp()) ON CONFLICT (tenant) WHERE retired_at IS NULL DO NOTHING";

  private final Pool pool;

  public CallbackSecretStore(Pool pool) {
    this.pool = pool;
  }

  /** The tenant's signing secret, made now if it has none: a delivery is never sent unsigned. */
  public Future<String> current(String tenant) {
    return pool.preparedQuery(CURRENT).execute(Tuple.of(tenant)).compose(rows -> rows.size() > 0
        ? Future.succeededFuture(rows.iterator().next().getString(0))
        : pool.preparedQuery(CREATE_IF_NONE).execute(Tuple.of(tenant, newSecret()))
            .compose(v -> pool.preparedQuery(CURRENT).execute(Tuple.of(tenant)))
            .map(again -> again.iterator().next().getString(0)));
  }

  /** Retires the tenant's secret, if any, and returns the new one that signs from now on. */
  public Future<String> rotate(String tenant) {
    String secret = newSecret();
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE callback_secrets SET retired_at = clock_timestamp() "
            + "WHERE tenant = $1 AND retired_at IS NULL").execute(Tuple.of(tenant))
        .compose(v -> conn.preparedQuery("INSERT INTO callback_secrets (tenant, secret, created_at) "
            + "VALUES ($1, $2, clock_timestamp())").execute(Tuple.of(tenant, secret))))
        .map(v -> secret);
  }

  /** 32 random bytes, hex, with a prefix that says what it is when it turns up in a config file. */
  private static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "whsec_" + HexFormat.of().formatHex(bytes);
  }
}
