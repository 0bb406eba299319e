package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.it.faults.IsolatedStack;
import dev.conveyor.it.faults.TcpProxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redis or PostgreSQL gone, for this stack's processes only (they reach both through proxies the test cuts): the API
 * keeps serving what it can, answers 503 with Retry-After for the rest (never 500), says so in readiness, logs the
 * outage once, and recovers by itself.
 */
@ExtendWith(TestStack.class)
class DegradedIT {
  private static IsolatedStack stack;
  private static TcpProxy redis;
  private static TcpProxy postgresql;

  @BeforeAll
  static void start() {
    redis = TestStack.await(TcpProxy.start(TestStack.vertx(), 6379, IsolatedStack.freePort()));
    postgresql = TestStack.await(TcpProxy.start(TestStack.vertx(), 5432, IsolatedStack.freePort()));
    stack = IsolatedStack.create("degraded", Map.of(
        "CONVEYOR_REDIS_URL", "redis://127.0.0.1:" + redis.port(),
        "CONVEYOR_PG_URL", "postgresql://postgres@127.0.0.1:" + postgresql.port() + "/conveyor_it_degraded"));
    stack.startApi();
    stack.startWorker("degraded-1");
  }

  @AfterAll
  static void stop() {
    stack.close();
    TestStack.await(redis.cut());
    TestStack.await(postgresql.cut());
  }

  @Test
  void withoutRedisStatusComesFromPostgresqlLongPollsStillWakeAndEverythingRecovers() {
    String id = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":2500,\"steps\":1}}");
    stack.awaitStatus(id, "running", Duration.ofSeconds(30));
    String etag = stack.get("/v1/jobs/" + id).headers().firstValue("ETag").orElseThrow();
    TestStack.await(redis.cut());
    try {
      for (int i = 0; i < 10; i++) {
        long start = System.nanoTime();
        HttpResponse<String> read = stack.get("/v1/jobs/" + id);
        assertEquals(200, read.statusCode(), read.body());
        assertTrue(read.headers().firstValue("RateLimit").isPresent(), "limits still apply, per process");
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1_500, "no read waits behind a dead Redis");
      }
      HttpResponse<String> held = Http.send(stack.request("/v1/jobs/" + id + "?wait=20").header("If-None-Match", etag)
          .GET());
      assertEquals(200, held.statusCode());
      JsonNode done = Http.json(held);
      assertEquals("succeeded", done.get("status").asText(), "a long poll wakes without change notices");
      long lateMs = Duration.between(java.time.Instant.parse(done.get("finishedAt").asText()),
          java.time.Instant.now()).toMillis();
      assertTrue(lateMs < 3_000, "woke " + lateMs + " ms after the change");

      assertEquals(202, stack.submit("{\"type\":\"noop\"}").statusCode(), "submits go on without Redis");
      HttpResponse<String> ready = Http.eventually(() -> stack.get("/health/ready"),
          r -> r.body().contains("\"redis\":\"open\""));
      assertEquals(503, ready.statusCode());
      assertTrue(Http.json(ready).get("detail").asText().contains("redis"), ready.body());
    } finally {
      TestStack.await(redis.restore());
    }
    Http.eventually(() -> stack.get("/health/ready"), r -> r.statusCode() == 200);
    String after = stack.submitted("{\"type\":\"noop\"}");
    stack.awaitStatus(after, "succeeded", Duration.ofSeconds(30));
    assertOutageLoggedOnce("api", "redis");
    assertOutageLoggedOnce("degraded-1", "redis");
  }

  @Test
  void withoutPostgresqlRequestsAre503WithRetryAfterAndNothingIsLost() {
    String before = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":3000,\"steps\":3}}");
    stack.awaitStatus(before, "running", Duration.ofSeconds(30));
    TestStack.await(postgresql.cut());
    try {
      for (int i = 0; i < 5; i++) {
        assertUnavailable(stack.submit("{\"type\":\"noop\"}"));
        assertUnavailable(stack.get("/v1/jobs"));
        assertUnavailable(stack.get("/v1/jobs/019374c2-6d1e-7cc0-9a8e-3f0b5d1e2a44"));
        assertUnavailable(Http.send(stack.request("/v1/jobs").header("Authorization", "Bearer not-cached-" + i)
            .GET()));
      }
      HttpResponse<String> ready = stack.get("/health/ready");
      assertEquals(503, ready.statusCode());
      assertTrue(Http.json(ready).get("detail").asText().contains("postgresql"));
      assertEquals(200, stack.get("/metrics").statusCode(), "metrics show what they can");
    } finally {
      TestStack.await(postgresql.restore());
    }
    assertEquals("succeeded", stack.awaitStatus(before, "succeeded", Duration.ofSeconds(60)).get("status").asText(),
        "the running job finished and its outcome reached PostgreSQL once it was back");
    HttpResponse<String> accepted = Http.eventually(() -> stack.submit("{\"type\":\"noop\"}"),
        r -> r.statusCode() == 202);
    stack.awaitStatus(Http.json(accepted).get("id").asText(), "succeeded", Duration.ofSeconds(30));
    assertOutageLoggedOnce("api", "postgresql");
  }

  private static void assertUnavailable(HttpResponse<String> response) {
    assertEquals(503, response.statusCode(), response.body());
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(response.headers().firstValue("Retry-After").isPresent(), "503 says when to come back");
  }

  /** The outage is announced once and its end once; the log is not flooded meanwhile. */
  private static void assertOutageLoggedOnce(String process, String dependency) {
    String log = stack.logText(process);
    long started = Arrays.stream(log.split("\n")).filter(l -> l.contains(dependency + " is unavailable")).count();
    long ended = Arrays.stream(log.split("\n")).filter(l -> l.contains(dependency + " is available again")).count();
    long traces = Arrays.stream(log.split("\n")).filter(l -> l.startsWith("\tat ")).count();
    assertEquals(1, started, process + " log:\n" + log);
    assertEquals(1, ended, process + " log:\n" + log);
    assertTrue(traces < 20, process + " logged " + traces + " stack frames:\n" + log);
  }
}
