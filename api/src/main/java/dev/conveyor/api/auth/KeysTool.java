package dev.conveyor.api.auth;

import dev.conveyor.config.Config;
import dev.conveyor.deps.Dependency;
import dev.conveyor.config.Logging;
import dev.conveyor.jobs.Times;
import dev.conveyor.store.CallbackSecretStore;
import dev.conveyor.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.List;

/**
 * The API keys command: {@code create <tenant>} prints a new key once (only its hash is stored),
 * {@code list} shows every key by id, {@code revoke <id>} stops a key on every API process within seconds;
 * {@code callback-secret <tenant>} prints the secret that signs the tenant's callbacks (making one if it has none),
 * {@code rotate-callback-secret <tenant>} replaces it. It reads {@code CONVEYOR_PG_URL} like the servers do.
 */
public final class KeysTool {
  private static final String USAGE = String.join("\n",
      "usage: conveyor-keys create <tenant>   make a key for a tenant and print it (shown only this once)",
      "       conveyor-keys list              list keys: id, tenant, created, revoked",
      "       conveyor-keys revoke <id>       revoke a key by the id that list shows",
      "       conveyor-keys callback-secret <tenant>          print the secret that signs the tenant's callbacks",
      "       conveyor-keys rotate-callback-secret <tenant>   replace it; deliveries from now on use the new one");
  private static final List<String> COMMANDS = List.of("create", "list", "revoke", "callback-secret",
      "rotate-callback-secret");

  private static final String TENANT = "[A-Za-z0-9._-]{1,64}";

  private KeysTool() {
  }

  public static void main(String[] args) {
    Logging.configure();
    if (args.length == 0 || !COMMANDS.contains(args[0])
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
        .compose(pool -> run(new ApiKeyStore(pool, new Dependency(vertx, "postgresql", 0)),
            new CallbackSecretStore(pool), args, System.out).eventually(pool::close))
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
  static Future<Integer> run(ApiKeyStore store, CallbackSecretStore secrets, String[] args, PrintStream out) {
    if (!args[0].equals("list") && !args[0].equals("revoke") && !args[1].matches(TENANT)) {
      out.println("tenant names must match " + TENANT);
      return Future.succeededFuture(2);
    }
    switch (args[0]) {
      case "callback-secret":
        return secrets.current(args[1]).map(secret -> {
          out.println(secret);
          out.println("(signs the callbacks of tenant " + args[1] + ": Conveyor-Signature v1 is its HMAC-SHA256)");
          return 0;
        });
      case "rotate-callback-secret":
        return secrets.rotate(args[1]).map(secret -> {
          out.println(secret);
          out.println("(the new secret of tenant " + args[1] + "; every delivery sent from now on, retries too, is signed "
              + "with it, so receivers should accept the old one only for the deliveries already under way)");
          return 0;
        });
      case "create": {
        String tenant = args[1];
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
