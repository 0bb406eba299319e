package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.PollingIT.FAR_FUTURE;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.api.ApiApplication;
import dev.conveyor.config.Config;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Times;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A second API process on the same namespace: a request held on one wakes when the job changes through the
 * other, and its own bound on held requests answers 429 past it.
 */
@ExtendWith(TestStack.class)
class SecondApiIT {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static ApiApplication second;
  private static String secondBase;

  @BeforeAll
  static void startSecondApi() {
    Map<String, String> env = new HashMap<>(TestStack.env());
    env.put("CONVEYOR_HTTP_PORT", Integer.toString(Integer.parseInt(env.get("CONVEYOR_HTTP_PORT")) + 2));
    env.put("CONVEYOR_MAX_HELD_REQUESTS_PER_TENANT", "2");
    second = TestStack.await(ApiApplication.start(TestStack.vertx(), Config.from(env), TestStack.registry()));
    secondBase = "http://127.0.0.1:" + env.get("CONVEYOR_HTTP_PORT");
  }

  @AfterAll
  static void stopSecondApi() {
    TestStack.await(second.stop());
  }

  private static HttpRequest.Builder onSecond(String path) {
    return HttpRequest.newBuilder(URI.create(secondBase + path)).header("Authorization", "Bearer " + KEY_ALPHA)
        .timeout(Duration.ofSeconds(40));
  }

  /** Waits until the second process holds this many requests, as its metrics say. */
  private static void awaitHeld(int count) {
    Http.eventually(() -> {
      try {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(secondBase + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, metrics -> metrics.contains("\nconveyor_held_requests " + count + "\n"));
  }

  @Test
  void longPollOnOneProcessWakesWhenAnotherCancelsTheJob() throws Exception {
    String id = Http.submitted(KEY_ALPHA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    HttpResponse<String> first = CLIENT.send(onSecond("/v1/jobs/" + id).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    String etag = first.headers().firstValue("ETag").orElseThrow();
    CompletableFuture<HttpResponse<String>> held = CLIENT.sendAsync(
        onSecond("/v1/jobs/" + id + "?wait=20").header("If-None-Match", etag).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    awaitHeld(1);
    assertEquals(200, CancelIT.cancel(id, KEY_ALPHA).statusCode());
    HttpResponse<String> woken = held.get(10, TimeUnit.SECONDS);
    Instant received = Instant.now();
    assertEquals(200, woken.statusCode());
    JsonNode job = Json.parse(woken.body());
    assertEquals("cancelled", job.get("status").asText());
    long lag = Duration.between(Times.parse(job.get("updatedAt").asText()), received).toMillis();
    assertTrue(lag < 500, "woke " + lag + " ms after the change");
  }

  @Test
  void heldRequestsPastTheTenantBoundAre429() throws Exception {
    String id = Http.submitted(KEY_ALPHA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    CompletableFuture<HttpResponse<String>> one = CLIENT.sendAsync(onSecond("/v1/jobs/" + id + "?wait=3").GET()
        .build(), HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> two = CLIENT.sendAsync(onSecond("/v1/jobs/" + id + "?wait=3").GET()
        .build(), HttpResponse.BodyHandlers.ofString());
    awaitHeld(2);
    HttpResponse<String> third = CLIENT.send(onSecond("/v1/jobs/" + id + "?wait=3").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertProblem(third, 429);
    assertTrue(third.headers().firstValue("Retry-After").isPresent());
    assertEquals(200, one.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(200, two.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(200, CLIENT.send(onSecond("/v1/jobs/" + id + "?wait=1").GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "places are given back");
    CancelIT.cancel(id, KEY_ALPHA);
  }
}
