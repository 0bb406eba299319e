package dev.conveyor.api.jobs;

import dev.conveyor.api.http.Problem;
import dev.conveyor.store.IdempotencyStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a request's change at most once per {@code Idempotency-Key} of a tenant, in the transaction that holds the
 * key: the first request does it and remembers the jobs it concerns; a repeat with an equal request gets those jobs
 * back instead, one with another request 422, and one while the first is still under way 409.
 */
final class IdempotentRequests {
  /** Either what the change did, or the jobs of the request that used the key first. */
  record Outcome<T>(T done, List<UUID> replayOf) {
  }

  private IdempotentRequests() {
  }

  static <T> Future<Outcome<T>> once(SqlConnection conn, String tenant, JobIntake.IdempotencyKey key,
      Supplier<Future<T>> change, Function<T, List<UUID>> jobsOf) {
    return IdempotencyStore.tryLock(conn, tenant, key.key())
        .compose(locked -> locked
            ? IdempotencyStore.find(conn, tenant, key.key())
            : Future.failedFuture(Problem.of(409, "request-in-progress", "Request in progress",
                "A request with this Idempotency-Key is still being accepted; retry shortly.")
                .withHeader("Retry-After", "1")))
        .compose(found -> {
          if (found.isEmpty()) {
            return change.get().compose(done -> IdempotencyStore.remember(conn, tenant, key.key(), key.requestHash(),
                jobsOf.apply(done)).map(new Outcome<>(done, null)));
          }
          if (!found.get().requestHash().equals(key.requestHash())) {
            return Future.failedFuture(Problem.of(422, "idempotency-key-reused", "Idempotency key reused",
                "This Idempotency-Key was used within 24 h for a different request."));
          }
          return Future.succeededFuture(new Outcome<T>(null, found.get().jobIds()));
        });
  }
}
