package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.deploy.Ports;
import dev.conveyor.it.faults.IsolatedStack;
import dev.conveyor.it.faults.TcpProxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    redis = TestStack.await(TcpProxy.start(TestStack.vertx(), 6379, Ports.free()));
    postgresql = TestStack.await(TcpProxy.start(TestStack.vertx(), 5432, Ports.free()));
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
  void withoutRedisStatusComesFromPostgresqlLongPollsAndStreamsStillEndAndEverythingRecovers() throws Exception {
    int apiLog = stack.logText("api").length();
    int workerLog = stack.logText("degraded-1").length();
    String id = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":5000,\"steps\":1}}");
    String streamed = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":5000,\"steps\":1}}");
    stack.awaitStatus(id, "running", Duration.ofSeconds(30));
    String etag = stack.get("/v1/jobs/" + id).headers().firstValue("ETag").orElseThrow();
    TestStack.await(redis.cut());
    try {
      for (int i = 0; i < 10; i++) {
        long start = System.nanoTime();
        HttpResponse<String> read = stack.get("/v1/jobs/" + id);
        assertEquals(200, read.statusCode(), read.body());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1_500, "no read waits behind a dead Redis");
      }
      assertEquals(429, limitedUntilRefused(), "rate limits still hold, per process");

      CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> events = Http.CLIENT.sendAsync(
          stack.request("/v1/jobs/" + streamed + "/events").GET().build(), HttpResponse.BodyHandlers.ofLines());
      java.time.Instant asked = java.time.Instant.now();
      HttpResponse<String> held = Http.send(stack.request("/v1/jobs/" + id + "?wait=20").header("If-None-Match", etag)
          .GET());
      assertEquals(200, held.statusCode());
      JsonNode done = Http.json(held);
      java.time.Instant finished = java.time.Instant.parse(done.get("finishedAt").asText());
      assertTrue(finished.isAfter(asked), "the poll was held from before the job ended");
      assertEquals("succeeded", done.get("status").asText(), "a long poll wakes without change notices");
      long lateMs = Duration.between(finished, java.time.Instant.now()).toMillis();
      assertTrue(lateMs < 3_000, "woke " + lateMs + " ms after the change");
      String last = CompletableFuture.supplyAsync(() -> {
        try {
          return events.get(30, TimeUnit.SECONDS).body().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b)
              .orElse("");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).get(30, TimeUnit.SECONDS);
      assertTrue(last.contains("\"status\":\"succeeded\""), "the event stream ends with the final state: " + last);

      assertEquals(202, stack.submit("{\"type\":\"noop\"}").statusCode(), "submits go on without Redis");
      HttpResponse<String> ready = Http.eventually(() -> stack.get("/health/ready"),
          r -> r.body().contains("\"redis\":\"open\""));
      assertEquals(503, ready.statusCode());
      assertTrue(Http.json(ready).get("detail").asText().contains("redis"), ready.body());
      assertTrue(stack.get("/metrics").body().contains("conveyor_circuit_breaker_state{dependency=\"redis\","
          + "state=\"open\"} 1"), "metrics show the open breaker");
    } finally {
      TestStack.await(redis.restore());
    }
    Http.eventually(() -> stack.get("/health/ready"), r -> r.statusCode() == 200);
    String after = stack.submitted("{\"type\":\"noop\"}");
    stack.awaitStatus(after, "succeeded", Duration.ofSeconds(30));
    assertOutageLoggedOnce("api", apiLog, "redis");
    assertOutageLoggedOnce("degraded-1", workerLog, "redis");
  }

  @Test
  void aRedisThatHangsCostsEachReadOneTimeoutAtMostThenNothing() {
    String id = stack.submitted("{\"type\":\"noop\"}");
    stack.awaitStatus(id, "succeeded", Duration.ofSeconds(30));
    redis.stall();
    try {
      for (int i = 0; i < 8; i++) {
        long start = System.nanoTime();
        assertEquals(200, stack.get("/v1/jobs/" + id).statusCode());
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 2_500, "read " + i + " took " + tookMs + " ms: Redis calls have a time limit");
      }
      Http.eventually(() -> stack.get("/health/ready"), r -> r.body().contains("\"redis\":\"open\""));
      long start = System.nanoTime();
      assertEquals(200, stack.get("/v1/jobs/" + id).statusCode());
      assertTrue((System.nanoTime() - start) / 1_000_000 < 500, "with the breaker open, no wait at all");
    } finally {
      TestStack.await(redis.restore());
    }
    Http.eventually(() -> stack.get("/health/ready"), r -> r.statusCode() == 200);
  }

  /** Asks as the tenant allowed 3 requests at once and 1 a second until refused; the status of the last answer. */
  private static int limitedUntilRefused() {
    int status = 0;
    for (int i = 0; i < 6 && status != 429; i++) {
      status = Http.send(stack.request("/v1/jobs", TestStack.KEY_LIMITED).GET()).statusCode();
    }
    return status;
  }

  @Test
  void withoutPostgresqlRequestsAre503WithRetryAfterAndNothingIsLost() {
    int apiLog = stack.logText("api").length();
    String before = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":3000,\"steps\":3}}");
    stack.awaitStatus(before, "running", Duration.ofSeconds(30));
    TestStack.await(postgresql.cut());
    try {
      for (int i = 0; i < 5; i++) {
        assertUnavailable(stack.submit("{\"type\":\"noop\"}"));
        assertUnavailable(stack.get("/v1/jobs"));
        assertUnavailable(stack.get("/v1/jobs/019374c2-6d1e-7cc0-9a8e-3f0b5d1e2a44"));
        assertUnavailable(Http.send(stack.request("/v1/jobs", "not-cached-" + i).GET()));
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
    assertOutageLoggedOnce("api", apiLog, "postgresql");
  }

  private static void assertUnavailable(HttpResponse<String> response) {
    assertEquals(503, response.statusCode(), response.body());
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(response.headers().firstValue("Retry-After").isPresent(), "503 says when to come back");
  }

  /** Since {@code from}, the outage is announced once and its end once; the log is not flooded meanwhile. */
  private static void assertOutageLoggedOnce(String process, int from, String dependency) {
    String log = stack.logText(process).substring(from);
    long started = Arrays.stream(log.split("\n")).filter(l -> l.contains(dependency + " is unavailable")).count();
    long ended = Arrays.stream(log.split("\n")).filter(l -> l.contains(dependency + " is available again")).count();
    long traces = Arrays.stream(log.split("\n")).filter(l -> l.startsWith("\tat ")).count();
    assertEquals(1, started, process + " log:\n" + log);
    assertEquals(1, ended, process + " log:\n" + log);
    assertTrue(traces < 20, process + " logged " + traces + " stack frames:\n" + log);
  }
}
