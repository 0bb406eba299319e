package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveyor.cache.RedisClients;
import dev.conveyor.cache.RedisScript;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scripts run by their SHA-1, and still run when Redis does not know them (first use, restart, SCRIPT FLUSH). */
@ExtendWith(TestStack.class)
class RedisScriptIT {
  private static Redis redis;

  @BeforeAll
  static void connect() {
    redis = RedisClients.client(TestStack.vertx(), "redis://127.0.0.1:6379");
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  @Test
  void aScriptRedisForgotIsSentAgainInFullAndEveryCallOfTheBatchRuns() {
    RedisScript script = new RedisScript("return {KEYS[1], ARGV[1], '" + UUID.randomUUID() + "'}");
    TestStack.await(redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));
    List<Response> first = TestStack.await(script.run(redis, List.of(
        new RedisScript.Call(List.of("k1"), List.of("a")), new RedisScript.Call(List.of("k2"), List.of("b")))));
    assertEquals(List.of("k1 a", "k2 b"), first.stream().map(r -> r.get(0) + " " + r.get(1)).toList());
    Response again = TestStack.await(script.run(redis, new RedisScript.Call(List.of("k3"), List.of("c"))));
    assertEquals("k3", again.get(0).toString(), "known by its SHA-1 from then on");
    TestStack.await(redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));
    assertEquals("k4", TestStack.await(script.run(redis, new RedisScript.Call(List.of("k4"), List.of("d"))))
        .get(0).toString(), "and after Redis forgot it again");
  }
}
