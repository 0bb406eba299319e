package dev.conveyor.deps;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One external system (PostgreSQL, Redis or Kafka) as this process sees it. Every call goes through a circuit
 * breaker: after a few outages in a row it opens, and calls fail fast with {@link DependencyUnavailable} instead of
 * queueing behind timeouts, until a trial call succeeds. Answers the system gave (a constraint, a bad value) are
 * passed through untouched and never open it. An outage is logged once when it starts, every minute with the count
 * of failed calls while it lasts, and once when it ends.
 */
public final class Dependency {
  private static final Logger LOG = Logger.getLogger(Dependency.class.getName());
  private static final int MAX_FAILURES = 3;
  private static final long FAILURE_WINDOW_MS = 10_000;
  private static final long RETRY_AFTER_OPEN_MS = 1_000;
  private static final long STILL_DOWN_LOG_MS = 60_000;

  private final String name;
  private final Vertx vertx;
  private final CircuitBreaker breaker;
  private final AtomicLong failedCalls = new AtomicLong();
  private volatile Throwable lastOutage;
  private volatile long downSince;
  private long stillDownTimer = -1;

  /** @param timeoutMs how long one call may take before it counts as an outage; 0 for no limit */
  public Dependency(Vertx vertx, String name, long timeoutMs) {
    this.name = name;
    this.vertx = vertx;
    this.breaker = CircuitBreaker.create("conveyor-" + name, vertx, new CircuitBreakerOptions()
            .setMaxFailures(MAX_FAILURES)
            .setFailuresRollingWindow(FAILURE_WINDOW_MS)
            .setResetTimeout(RETRY_AFTER_OPEN_MS)
            .setTimeout(timeoutMs > 0 ? timeoutMs : -1)
            .setNotificationAddress(null))
        .failurePolicy(result -> result.failed() && Outages.isOutage(result.cause()))
        .openHandler(v -> opened())
        .closeHandler(v -> closed());
  }

  public String name() {
    return name;
  }

  /** Runs one call; an outage (or an open breaker) fails it with {@link DependencyUnavailable}. */
  public <T> Future<T> call(Supplier<Future<T>> operation) {
    return breaker.<T>execute(() -> attempt(operation)).recover(err -> {
      if (!Outages.isOutage(err)) {
        return Future.failedFuture(err);
      }
      failedCalls.incrementAndGet();
      if (!(err instanceof io.vertx.circuitbreaker.OpenCircuitException)) {
        lastOutage = err;
      }
      return Future.failedFuture(err instanceof DependencyUnavailable ? err : new DependencyUnavailable(name,
          lastOutage == null ? err : lastOutage));
    });
  }

  /** Remembers the cause of an outage before the breaker counts it, so the log line that opens it can name it. */
  private <T> Future<T> attempt(Supplier<Future<T>> operation) {
    Future<T> result;
    try {
      result = operation.get();
    } catch (RuntimeException thrown) {
      result = Future.failedFuture(thrown);
    }
    return result.onFailure(err -> {
      if (Outages.isOutage(err)) {
        lastOutage = err;
      }
    });
  }

  /** True unless the breaker is open or still trying whether the system is back. */
  public boolean available() {
    return breaker.state() == CircuitBreakerState.CLOSED;
  }

  /** {@code closed}, {@code open} or {@code half_open}, for health and metrics. */
  public String breakerState() {
    return breaker.state().name().toLowerCase(Locale.ROOT);
  }

  private synchronized void opened() {
    if (downSince != 0) {
      return;
    }
    downSince = System.currentTimeMillis();
    LOG.warning(name + " is unavailable (" + describe(lastOutage) + "); calls to it fail fast until it answers again");
    stillDownTimer = vertx.setPeriodic(STILL_DOWN_LOG_MS, t -> LOG.warning(name + " still unavailable after "
        + (System.currentTimeMillis() - downSince) / 1000 + " s; " + failedCalls.get() + " calls failed so far ("
        + describe(lastOutage) + ")"));
  }

  private synchronized void closed() {
    if (downSince == 0) {
      return;
    }
    vertx.cancelTimer(stillDownTimer);
    LOG.info(name + " is available again after " + (System.currentTimeMillis() - downSince) / 1000 + " s; "
        + failedCalls.getAndSet(0) + " calls failed during the outage");
    downSince = 0;
  }

  private static String describe(Throwable error) {
    if (error == null) {
      return "no answer";
    }
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
