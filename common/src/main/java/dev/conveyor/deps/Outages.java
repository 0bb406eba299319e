package dev.conveyor.deps;

import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.impl.types.ErrorType;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Tells an outage (the system cannot be reached, is restarting or timed out) from an answer it gave (a constraint,
 * a bad value, a script error). Only outages open a circuit breaker and earn a 503; answers are the caller's to handle.
 */
public final class Outages {
  /** Redis replies that mean "not now" rather than "no". */
  private static final Set<String> REDIS_TRANSIENT = Set.of("LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN");

  private Outages() {
  }

  public static boolean isOutage(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof DependencyUnavailable) {
        return true;
      }
      if (t instanceof PgException pg) {
        return isTransientSqlState(pg.getSqlState());
      }
      if (t instanceof ErrorType reply) {
        // A batch's errors come as one reply, "ERR [index] <kind> ..." for each command that failed.
        String message = String.valueOf(reply.getMessage());
        return REDIS_TRANSIENT.stream().anyMatch(kind -> reply.is(kind) || message.contains("] " + kind));
      }
      if (t instanceof IOException || t instanceof TimeoutException || t instanceof VertxException
          || t instanceof OpenCircuitException || t instanceof io.vertx.circuitbreaker.TimeoutException
          || t instanceof RetriableException) {
        // Connection refused or reset, closed connections, timeouts: no answer at all.
        return true;
      }
    }
    return false;
  }

  /** Connection exceptions (08), operator intervention such as a shutdown (57P), resources (53), serialization (40). */
  public static boolean isTransientSqlState(String sqlState) {
    return sqlState == null || sqlState.startsWith("08") || sqlState.startsWith("57P") || sqlState.startsWith("53")
        || sqlState.startsWith("40");
  }

  /** SQLSTATE classes 22 (data exception), 23 (integrity) and 54 (program limit): the value itself is refused. */
  public static boolean isRefusedValue(Throwable error) {
    PgException pg = pgException(error);
    if (pg == null || pg.getSqlState() == null) {
      return false;
    }
    String state = pg.getSqlState();
    return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
  }

  /** PostgreSQL's own words for a refused value, without the statement: e.g. "unsupported Unicode escape sequence". */
  public static String refusal(Throwable error) {
    PgException pg = pgException(error);
    if (pg == null) {
      return "refused";
    }
    return pg.getErrorMessage() + (pg.getDetail() == null ? "" : " (" + pg.getDetail() + ")");
  }

  private static PgException pgException(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof PgException pg) {
        return pg;
      }
    }
    return null;
  }
}
