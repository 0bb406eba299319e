package dev.conveyor.api.auth;

import dev.conveyor.config.Config;
import dev.conveyor.deps.Dependency;
import dev.conveyor.config.Logging;
import dev.conveyor.jobs.Times;
import dev.conveyor.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.List;

/**
 * The API keys command: {@code create <tenant>} prints a new key once (only its hash is stored),
 * {@code list} shows every key by id, {@code revoke <id>} stops a key on every API process within seconds.
 * It reads {@code CONVEYOR_PG_URL} like the servers do.
 */
public final class KeysTool {
  private static final String USAGE = String.join("\n",
      "usage: conveyor-keys create <tenant>   make a key for a tenant and print it (shown only this once)",
      "       conveyor-keys list              list keys: id, tenant, created, revoked",
      "       conveyor-keys revoke <id>       revoke a key by the id that list shows");

  private KeysTool() {
  }

  public static void main(String[] args) {
    Logging.configure();
    if (args.length == 0 || !List.of("create", "list", "revoke").contains(args[0])
        || (!args[0].equals("list") && args.length != 2)) {
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    Config config;
    try {
      config = Config.fromEnv();
    } catch (IllegalArgumentException e) {
      System.err.println("conveyor-keys: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    Database.open(vertx, config)
        .compose(pool -> run(new ApiKeyStore(pool, new Dependency(vertx, "postgresql", 0)), args, System.out)
            .eventually(pool::close))
        .onComplete(ar -> {
          int code = 0;
          if (ar.failed()) {
            System.err.println("conveyor-keys: " + ar.cause().getMessage());
            code = 1;
          } else {
            code = ar.result();
          }
          int exit = code;
          vertx.close().onComplete(v -> System.exit(exit));
        });
  }

  /** Runs one command; the result is the exit code. */
  static Future<Integer> run(ApiKeyStore store, String[] args, PrintStream out) {
    switch (args[0]) {
      case "create": {
        String tenant = args[1];
        if (!tenant.matches("[A-Za-z0-9._-]{1,64}")) {
          out.println("tenant names must match [A-Za-z0-9._-]{1,64}");
          return Future.succeededFuture(2);
        }
        String key = ApiKeys.newKey();
        return store.create(tenant, key).map(v -> {
          out.println(key);
          out.println("(key for tenant " + tenant + ", id " + ApiKeys.hash(key).substring(0, ApiKeyStore.ID_LENGTH)
              + "; it is not stored and cannot be shown again)");
          return 0;
        });
      }
      case "list":
        return store.list().map(keys -> {
          out.printf("%-14s %-20s %-26s %s%n", "id", "tenant", "created", "revoked");
          keys.forEach(k -> out.printf("%-14s %-20s %-26s %s%n", k.id(), k.tenant(),
              Times.format(Times.toInstant(k.createdAt())),
              k.revokedAt() == null ? "-" : Times.format(Times.toInstant(k.revokedAt()))));
          return 0;
        });
      default:
        return store.revoke(args[1]).map(count -> {
          if (count == 0) {
            out.println("no live key with id " + args[1]);
            return 1;
          }
          out.println("revoked " + args[1] + "; API processes stop accepting it within 5 s");
          return 0;
        });
    }
  }
}
