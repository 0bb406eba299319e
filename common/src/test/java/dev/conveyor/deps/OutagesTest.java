package dev.conveyor.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.impl.types.ErrorType;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class OutagesTest {

  private static PgException pg(String sqlState) {
    return new PgException("boom", "ERROR", sqlState, "some detail");
  }

  @Test
  void noAnswerIsAnOutage() {
    assertTrue(Outages.isOutage(new ConnectException("Connection refused")));
    assertTrue(Outages.isOutage(new TimeoutException()));
    assertTrue(Outages.isOutage(new RuntimeException("wrapped", new ConnectException("refused"))));
    assertTrue(Outages.isOutage(OpenCircuitException.INSTANCE));
    assertTrue(Outages.isOutage(new DependencyUnavailable("redis", null)));
    assertTrue(Outages.isOutage(new org.apache.kafka.common.errors.TimeoutException("no ack")));
  }

  @Test
  void postgresqlShuttingDownOrUnreachableIsAnOutageButARefusalIsAnAnswer() {
    assertTrue(Outages.isOutage(pg("57P01")), "admin shutdown");
    assertTrue(Outages.isOutage(pg("57P03")), "cannot connect now");
    assertTrue(Outages.isOutage(pg("08006")), "connection failure");
    assertTrue(Outages.isOutage(pg("40001")), "serialization failure: try again");
    assertFalse(Outages.isOutage(pg("22P05")), "a value PostgreSQL refuses");
    assertFalse(Outages.isOutage(pg("23505")), "a constraint");
    assertFalse(Outages.isOutage(new IllegalStateException("a bug of ours")));
  }

  @Test
  void redisSayingNotNowIsAnOutageButAScriptErrorIsNot() {
    assertTrue(Outages.isOutage(ErrorType.create("LOADING Redis is loading the dataset in memory")));
    assertFalse(Outages.isOutage(ErrorType.create("ERR Error running script")));
    assertTrue(Outages.isOutage(ErrorType.create("ERR [1] LOADING Redis is loading the dataset in memory")),
        "a batch's replies come together");
    assertFalse(Outages.isOutage(ErrorType.create("ERR [0] NOSCRIPT No matching script")));
  }

  @Test
  void refusedValuesAreClasses22To23And54WithPostgresqlsOwnWords() {
    assertTrue(Outages.isRefusedValue(pg("22P05")));
    assertTrue(Outages.isRefusedValue(pg("22003")));
    assertTrue(Outages.isRefusedValue(pg("23514")));
    assertTrue(Outages.isRefusedValue(pg("54000")));
    assertFalse(Outages.isRefusedValue(pg("08006")));
    assertFalse(Outages.isRefusedValue(new ConnectException()));
    assertEquals("boom (some detail)", Outages.refusal(new RuntimeException(pg("22P05"))));
  }
}
