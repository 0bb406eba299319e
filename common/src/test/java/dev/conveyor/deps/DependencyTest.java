package dev.conveyor.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DependencyTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  private static <T> Throwable failure(Future<T> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void outagesOpenTheBreakerThenCallsFailFastUntilATrialSucceeds() throws Exception {
    Dependency redis = new Dependency(vertx, "redis", 0);
    AtomicInteger attempts = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      Throwable err = failure(redis.call(() -> {
        attempts.incrementAndGet();
        return Future.failedFuture(new ConnectException("Connection refused"));
      }));
      assertInstanceOf(DependencyUnavailable.class, err);
    }
    assertFalse(redis.available());
    assertEquals("open", redis.breakerState());
    Throwable fast = failure(redis.call(() -> {
      attempts.incrementAndGet();
      return Future.succeededFuture("never asked");
    }));
    assertInstanceOf(DependencyUnavailable.class, fast);
    assertEquals("redis", ((DependencyUnavailable) fast).dependency());
    assertEquals(3, attempts.get(), "an open breaker does not call the dependency");

    Thread.sleep(1_200);
    assertEquals("ok", redis.call(() -> Future.succeededFuture("ok")).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS));
    assertTrue(redis.available(), "a successful trial closes it");
  }

  @Test
  void answersPassThroughAndNeverOpenTheBreaker() throws Exception {
    Dependency postgresql = new Dependency(vertx, "postgresql", 0);
    for (int i = 0; i < 10; i++) {
      Throwable err = failure(postgresql.call(() -> Future.failedFuture(
          new io.vertx.pgclient.PgException("duplicate key", "ERROR", "23505", null))));
      assertInstanceOf(io.vertx.pgclient.PgException.class, err, "the caller sees the answer itself");
    }
    assertTrue(postgresql.available());
  }

  @Test
  void aCallThatTakesTooLongIsAnOutage() throws Exception {
    Dependency redis = new Dependency(vertx, "redis", 100);
    Throwable err = failure(redis.call(() -> io.vertx.core.Promise.<String>promise().future()));
    assertInstanceOf(DependencyUnavailable.class, err);
  }
}
