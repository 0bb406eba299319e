package dev.conveyor.it;

import static dev.conveyor.it.Http.awaitTerminal;
import static dev.conveyor.it.Http.eventually;
import static dev.conveyor.it.Http.get;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.TestStack.KEY_ONLOOKER;
import static dev.conveyor.it.TestStack.KEY_STATS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /v1/stats}: the caller's own jobs counted by status and type, and per second over the last hour. */
@ExtendWith(TestStack.class)
class StatsIT {

  @Test
  void needsAKey() {
    HttpResponse<String> response = get("/v1/stats", null);
    assertEquals(401, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/problem+json"));
    assertEquals("Bearer", response.headers().firstValue("WWW-Authenticate").orElseThrow());
  }

  @Test
  void countsTheCallersJobsByStatusAndTypeAndPerSecond() {
    Instant before = Instant.now();
    submitted(KEY_ONLOOKER, "{\"type\":\"noop\"}");
    List<String> done = List.of(submitted(KEY_STATS, "{\"type\":\"noop\"}"),
        submitted(KEY_STATS, "{\"type\":\"noop\"}"), submitted(KEY_STATS, "{\"type\":\"noop\"}"),
        submitted(KEY_STATS, "{\"type\":\"fail\",\"payload\":{\"times\":5},\"maxAttempts\":1}"));
    submitted(KEY_STATS, "{\"type\":\"sleep\",\"payload\":{\"ms\":10},\"runAt\":\""
        + Instant.now().plus(Duration.ofHours(1)) + "\"}");
    done.forEach(id -> awaitTerminal(KEY_STATS, id));

    JsonNode stats = eventually(() -> json(get("/v1/stats", KEY_STATS)),
        s -> s.get("byStatus").get("succeeded").asLong() == 3 && s.get("byStatus").get("failed").asLong() == 1);
    assertEquals(parse("{\"queued\":1,\"running\":0,\"succeeded\":3,\"failed\":1,\"cancelled\":0}"),
        stats.get("byStatus"));
    assertEquals(3, stats.get("byType").size(), "fail, noop and sleep: " + stats.get("byType"));
    JsonNode noop = stats.get("byType").get(1);
    assertEquals("noop", noop.get("type").asText());
    assertEquals(3, noop.get("total").asLong());
    assertEquals(3, noop.get("byStatus").get("succeeded").asLong());
    assertEquals(0, noop.get("byStatus").get("queued").asLong());

    JsonNode throughput = stats.get("throughput");
    assertEquals(1, throughput.get("intervalSeconds").asInt());
    assertEquals(3_600, throughput.get("submitted").size());
    assertEquals(3_600, throughput.get("finished").size());
    assertEquals(5, sum(throughput.get("submitted")), "the caller's five jobs, not the onlooker's");
    assertEquals(4, sum(throughput.get("finished")));
    Instant start = Instant.parse(throughput.get("start").asText());
    Instant asOf = Instant.parse(stats.get("asOf").asText());
    assertEquals(asOf.getEpochSecond() - 3_599, start.getEpochSecond(), "the last second is the current one");
    int firstSecond = (int) (before.getEpochSecond() - start.getEpochSecond());
    assertTrue(firstSecond > 3_000, "submitted within the last minutes: " + firstSecond);
    long sinceFirst = 0;
    for (int i = firstSecond; i < 3_600; i++) {
      sinceFirst += throughput.get("submitted").get(i).asLong();
    }
    assertEquals(5, sinceFirst, "counted in the seconds they came in");
  }

  private static JsonNode parse(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static long sum(JsonNode values) {
    long sum = 0;
    for (JsonNode value : values) {
      sum += value.asLong();
    }
    return sum;
  }
}
