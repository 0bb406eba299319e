package dev.conveyor.batch;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * A future shared by several callers (one lookup in flight for many requests) runs its listeners on the context that
 * made it, which may be another event loop than a given caller's. This hands each caller the result on its own.
 */
public final class OnCaller {
  private OnCaller() {
  }

  public static <T> Future<T> context(Future<T> shared) {
    if (shared.isComplete()) {
      // A settled result is copied, since even a completed future would dispatch to its own context.
      return shared.succeeded() ? Future.succeededFuture(shared.result()) : Future.failedFuture(shared.cause());
    }
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return shared;
    }
    Promise<T> mine = Promise.promise();
    shared.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        mine.handle(ar);
      } else {
        caller.runOnContext(v -> mine.handle(ar));
      }
    });
    return mine.future();
  }
}
