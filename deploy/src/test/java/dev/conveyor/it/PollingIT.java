package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.request;
import static dev.conveyor.it.Http.send;
import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_BETA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.jobs.Times;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Long poll, Prefer: wait on submit, and server-sent events, parked on Redis change notices. */
@ExtendWith(TestStack.class)
class PollingIT {
  static final String FAR_FUTURE = "\"runAt\":\"2099-01-01T00:00:00Z\"";

  @Test
  void longPollWithoutEtagHoldsUntilTerminal() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":1500,\"steps\":3}}");
    HttpResponse<String> held = send(request("/v1/jobs/" + id + "?wait=20", KEY_ALPHA).GET());
    assertEquals(200, held.statusCode());
    assertEquals("succeeded", json(held).get("status").asText());
  }

  @Test
  void longPollWithEtagWakesWithinMillisecondsOfTheChange() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":3000,\"steps\":3}}");
    String etag = send(request("/v1/jobs/" + id, KEY_ALPHA).GET()).headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> woken = send(request("/v1/jobs/" + id, KEY_ALPHA)
        .header("If-None-Match", etag).header("Prefer", "wait=20").GET());
    Instant received = Instant.now();
    assertEquals(200, woken.statusCode());
    assertNotEquals(etag, woken.headers().firstValue("ETag").orElseThrow());
    Instant changed = Times.parse(json(woken).get("updatedAt").asText());
    long lag = Duration.between(changed, received).toMillis();
    assertTrue(lag < 500, "answered " + lag + " ms after the change");
    assertEquals("wait=20", woken.headers().firstValue("Preference-Applied").orElseThrow());
  }

  @Test
  void longPollOnAnUnchangedJobEndsWith304AfterTheWait() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    String etag = send(request("/v1/jobs/" + id, KEY_ALPHA).GET()).headers().firstValue("ETag").orElseThrow();
    long start = System.nanoTime();
    HttpResponse<String> response = send(request("/v1/jobs/" + id + "?wait=1", KEY_ALPHA)
        .header("If-None-Match", etag).GET());
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(304, response.statusCode());
    assertTrue(tookMs >= 900 && tookMs < 5000, "held " + tookMs + " ms");
    assertTrue(response.headers().firstValue("Poll-After-Ms").isPresent());
    assertTrue(response.headers().firstValue("Retry-After").isPresent());
  }

  @Test
  void longPollWithoutEtagOnAWaitingJobAnswers200AfterTheWait() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    HttpResponse<String> response = send(request("/v1/jobs/" + id + "?wait=1", KEY_ALPHA).GET());
    assertEquals(200, response.statusCode());
    assertEquals("queued", json(response).get("status").asText());
  }

  @Test
  void waitQueryOutOfRangeIs400() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    for (String wait : List.of("0", "31", "abc", "-1", "1.5", "")) {
      assertProblem(send(request("/v1/jobs/" + id + "?wait=" + wait, KEY_ALPHA).GET()), 400);
    }
  }

  @Test
  void longPollOnAnotherTenantsJobIsNotFound() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    assertProblem(send(request("/v1/jobs/" + id + "?wait=5", KEY_BETA).GET()), 404);
    assertProblem(send(request("/v1/jobs/" + id + "/events", KEY_BETA).GET()), 404);
  }

  @Test
  void submitWithPreferWaitAnswersTheFinalStateWhenInTime() {
    HttpResponse<String> quick = send(request("/v1/jobs", KEY_ALPHA).header("Content-Type", "application/json")
        .header("Prefer", "wait=10").POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\",\"payload\":7}")));
    assertEquals(200, quick.statusCode(), quick.body());
    assertEquals("succeeded", json(quick).get("status").asText());
    assertEquals(7, json(quick).get("result").asInt());

    HttpResponse<String> slow = send(request("/v1/jobs", KEY_ALPHA).header("Content-Type", "application/json")
        .header("Prefer", "respond-async, wait=1")
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"sleep\",\"payload\":{\"ms\":5000}}")));
    assertEquals(202, slow.statusCode());
    assertTrue(slow.headers().firstValue("Location").isPresent());
  }

  @Test
  void eventsStreamEveryChangeAndEndAfterTheTerminalOne() {
    String id = submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":1200,\"steps\":3}}");
    HttpResponse<java.util.stream.Stream<String>> stream = Http.lines(request("/v1/jobs/" + id + "/events", KEY_ALPHA));
    assertEquals(200, stream.statusCode());
    assertTrue(stream.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
    List<JsonNode> events = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    stream.body().forEach(line -> {
      if (line.startsWith("data: ")) {
        events.add(dev.conveyor.jobs.Json.parse(line.substring(6)));
      } else if (line.startsWith("id: ")) {
        ids.add(line.substring(4));
      }
    });
    assertTrue(events.size() >= 3, "events: " + events);
    assertEquals("succeeded", events.get(events.size() - 1).get("status").asText());
    assertEquals(ids.size(), ids.stream().distinct().count(), "one event per change");
    for (int i = 1; i < events.size(); i++) {
      assertTrue(events.get(i - 1).get("status").asText().matches("queued|running"));
    }

    String lastId = ids.get(ids.size() - 1);
    HttpResponse<java.util.stream.Stream<String>> resumed = Http.lines(request("/v1/jobs/" + id + "/events", KEY_ALPHA)
        .header("Last-Event-ID", lastId));
    assertEquals(0, resumed.body().filter(l -> l.startsWith("data: ")).count(), "nothing repeated after resume");
  }
}
