package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.request;
import static dev.conveyor.it.Http.send;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_BETA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.api.ApiApplication;
import dev.conveyor.config.Config;
import dev.conveyor.it.faults.IsolatedStack;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** API.md's "Schedules": recurring jobs, exactly one job per tick however many API processes run. */
@ExtendWith(TestStack.class)
class ScheduleIT {
  static HttpResponse<String> put(String name, String key, String body) {
    return send(request("/v1/schedules/" + name, key).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  static HttpResponse<String> delete(String name, String key) {
    return send(request("/v1/schedules/" + name, key).DELETE());
  }

  private static List<Instant> ticks(String name) {
    List<Instant> ticks = new ArrayList<>();
    TestStack.sql("SELECT schedule_tick FROM jobs WHERE tenant = 'alpha' AND schedule = $1 ORDER BY schedule_tick",
        name).forEach(row -> ticks.add(row.getOffsetDateTime(0).toInstant()));
    return ticks;
  }

  @Test
  void aScheduleIsCreatedReadListedReplacedAndDeletedAndOnlyItsTenantSeesIt() {
    HttpResponse<String> created = put("nightly-report", KEY_ALPHA,
        "{\"cron\":\"0 3 * * *\",\"timezone\":\"Europe/Paris\",\"job\":{\"type\":\"noop\",\"payload\":{\"r\":1}}}");
    assertEquals(201, created.statusCode(), created.body());
    JsonNode schedule = json(created);
    assertEquals("nightly-report", schedule.get("name").asText());
    assertEquals("Europe/Paris", schedule.get("timezone").asText());
    assertFalse(schedule.get("paused").asBoolean());
    Instant next = Instant.parse(schedule.get("nextRunAt").asText());
    assertTrue(next.isAfter(Instant.now()) && next.isBefore(Instant.now().plus(Duration.ofHours(25))), next.toString());
    assertTrue(schedule.get("lastRunAt").isNull() && schedule.get("lastJobId").isNull());

    HttpResponse<String> replaced = put("nightly-report", KEY_ALPHA,
        "{\"cron\":\"0 4 * * *\",\"job\":{\"type\":\"noop\"},\"paused\":true}");
    assertEquals(200, replaced.statusCode(), replaced.body());
    assertEquals("UTC", json(replaced).get("timezone").asText(), "UTC by default");
    assertTrue(json(replaced).get("paused").asBoolean());
    assertTrue(json(replaced).get("nextRunAt").isNull(), "a paused schedule has no next tick");

    assertEquals("0 4 * * *", json(Http.get("/v1/schedules/nightly-report", KEY_ALPHA)).get("cron").asText());
    assertProblem(Http.get("/v1/schedules/nightly-report", KEY_BETA), 404);
    assertEquals(201, put("nightly-report-2", KEY_ALPHA, "{\"cron\":\"0 5 * * *\",\"job\":{\"type\":\"noop\"}}")
        .statusCode());
    JsonNode first = json(Http.get("/v1/schedules?limit=1", KEY_ALPHA));
    assertEquals(1, first.get("items").size());
    JsonNode second = json(Http.get("/v1/schedules?limit=1&cursor=" + first.get("nextCursor").asText(), KEY_ALPHA));
    assertFalse(first.get("items").get(0).get("name").asText().equals(second.get("items").get(0).get("name").asText()));
    assertEquals(0, json(Http.get("/v1/schedules", KEY_BETA)).get("items").size());

    assertProblem(delete("nightly-report", KEY_BETA), 404);
    assertEquals(204, delete("nightly-report", KEY_ALPHA).statusCode());
    assertEquals(204, delete("nightly-report-2", KEY_ALPHA).statusCode());
    assertProblem(Http.get("/v1/schedules/nightly-report", KEY_ALPHA), 404);
    assertProblem(delete("nightly-report", KEY_ALPHA), 404);
  }

  @Test
  void badCronZoneJobOrNameIsRefusedNamingTheFieldAndStoresNothing() {
    assertProblem(put("bad", KEY_ALPHA, "{\"cron\":\"61 * * * *\",\"job\":{\"type\":\"noop\"}}"), 400);
    assertProblem(put("bad", KEY_ALPHA, "{\"cron\":\"* * *\",\"job\":{\"type\":\"noop\"}}"), 400);
    HttpResponse<String> never = put("bad", KEY_ALPHA, "{\"cron\":\"0 0 30 2 *\",\"job\":{\"type\":\"noop\"}}");
    assertProblem(never, 400);
    assertTrue(json(never).get("detail").asText().contains("never fires"), never.body());
    HttpResponse<String> zone = put("bad", KEY_ALPHA,
        "{\"cron\":\"* * * * *\",\"timezone\":\"Mars/Olympus\",\"job\":{\"type\":\"noop\"}}");
    assertProblem(zone, 400);
    assertTrue(json(zone).get("detail").asText().contains("timezone"), zone.body());
    HttpResponse<String> runAt = put("bad", KEY_ALPHA,
        "{\"cron\":\"* * * * *\",\"job\":{\"type\":\"noop\",\"runAt\":\"2030-01-01T00:00:00Z\"}}");
    assertProblem(runAt, 400);
    assertTrue(json(runAt).get("detail").asText().contains("runAt"), runAt.body());
    assertProblem(put("bad", KEY_ALPHA, "{\"cron\":\"* * * * *\",\"job\":{\"type\":\"noop\",\"maxAttempts\":99}}"),
        400);
    assertProblem(put("bad", KEY_ALPHA, "{\"cron\":\"* * * * *\"}"), 400);
    assertProblem(put("bad", KEY_ALPHA, "{\"cron\":\"* * * * *\",\"job\":{\"type\":\"no-such-type\"}}"), 422);
    assertProblem(put("bad", KEY_ALPHA, "{\"cron\":\"* * * * *\",\"job\":{\"type\":\"sleep\",\"payload\":{}}}"), 422);
    assertProblem(put("Bad_Name!", KEY_ALPHA, "{\"cron\":\"* * * * *\",\"job\":{\"type\":\"noop\"}}"), 400);
    assertProblem(Http.get("/v1/schedules/bad", KEY_ALPHA), 404);
  }

  @Test
  void everyTickMakesExactlyOneJobWithTwoApiProcessesAndTheJobsNameTheirSchedule() throws Exception {
    Map<String, String> env = new HashMap<>(TestStack.env());
    env.put("CONVEYOR_HTTP_PORT", Integer.toString(Integer.parseInt(env.get("CONVEYOR_HTTP_PORT")) + 4));
    ApiApplication second = TestStack.await(ApiApplication.start(TestStack.vertx(), Config.from(env),
        TestStack.registry()));
    try {
      assertEquals(201, put("every-second", KEY_ALPHA, "{\"cron\":\"* * * * * *\",\"job\":{\"type\":\"noop\"}}")
          .statusCode());
      Http.eventually(() -> ticks("every-second"), ticks -> ticks.size() >= 6);
    } finally {
      assertEquals(204, delete("every-second", KEY_ALPHA).statusCode());
      TestStack.await(second.stop());
    }
    List<Instant> ticks = ticks("every-second");
    for (int i = 1; i < ticks.size(); i++) {
      assertEquals(1_000, ticks.get(i).toEpochMilli() - ticks.get(i - 1).toEpochMilli(),
          "one job for each second, none twice and none left out: " + ticks);
    }
    JsonNode listed = json(Http.get("/v1/jobs?schedule=every-second&limit=200", KEY_ALPHA));
    assertEquals(ticks.size(), listed.get("items").size());
    listed.get("items").forEach(job -> assertEquals("every-second", job.get("schedule").asText()));
    String id = listed.get("items").get(0).get("id").asText();
    assertEquals("every-second", json(Http.get("/v1/jobs/" + id, KEY_ALPHA)).get("schedule").asText());
    assertEquals(0, json(Http.get("/v1/jobs?schedule=every-second", KEY_BETA)).get("items").size());
  }

  @Test
  void aScheduleKeepsOneJobPerTickAcrossAnApiProcessKilledAndStartedAgain() {
    try (IsolatedStack stack = IsolatedStack.create("schedrestart", Map.of())) {
      Process first = stack.startApi();
      stack.startBuiltinWorker("sched-worker");
      stack.submitted("{\"type\":\"noop\"}");
      HttpResponse<String> created = send(stack.request("/v1/schedules/every-second")
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString("{\"cron\":\"* * * * * *\",\"job\":{\"type\":\"noop\"}}")));
      assertEquals(201, created.statusCode(), created.body());
      Http.eventually(() -> stackTicks(stack), ticks -> ticks.size() >= 3);
      first.destroyForcibly();
      Instant killedAt = Instant.now();
      stack.startApi();
      Instant restartedAt = Instant.now();
      Http.eventually(() -> stackTicks(stack), ticks -> ticks.stream().filter(t -> t.isAfter(restartedAt)).count() >= 3);

      List<Instant> ticks = stackTicks(stack);
      assertEquals(ticks.size(), ticks.stream().distinct().count(), "no tick made two jobs: " + ticks);
      for (int i = 1; i < ticks.size(); i++) {
        long step = ticks.get(i).toEpochMilli() - ticks.get(i - 1).toEpochMilli();
        // Ticks missed while no API ran fire each (a short outage) or once for the latest (a longer one).
        assertTrue(step == 1_000 || ticks.get(i - 1).isBefore(restartedAt) && !ticks.get(i).isBefore(killedAt),
            "one job a second, a gap only across the restart: " + ticks);
      }
      assertEquals(ticks.size(), stack.sql("SELECT count(*) FROM jobs WHERE schedule = 'every-second'")
          .iterator().next().getLong(0));
    }
  }

  private static List<Instant> stackTicks(IsolatedStack stack) {
    List<Instant> ticks = new ArrayList<>();
    stack.sql("SELECT schedule_tick FROM jobs WHERE schedule = 'every-second' ORDER BY schedule_tick")
        .forEach(row -> ticks.add(row.getOffsetDateTime(0).toInstant()));
    return ticks;
  }

  @Test
  void ticksMissedWhileNothingRanFireOnceForTheLatestAndAPausedScheduleFiresNothing() {
    assertEquals(201, put("each-minute", KEY_ALPHA, "{\"cron\":\"0 0 * * *\",\"job\":{\"type\":\"noop\"}}")
        .statusCode());
    // As if every process had been down for ten days: ten midnights were missed.
    TestStack.sql("UPDATE schedules SET next_run_at = date_trunc('day', now()) - interval '9 days' "
        + "WHERE tenant = 'alpha' AND name = 'each-minute'");
    Http.eventually(() -> ticks("each-minute"), ticks -> !ticks.isEmpty());
    Http.pause(1_500);
    List<Instant> ticks = ticks("each-minute");
    assertEquals(1, ticks.size(), "one job for the missed ticks: " + ticks);
    assertEquals(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS), ticks.get(0), "the latest of them");
    JsonNode schedule = json(Http.get("/v1/schedules/each-minute", KEY_ALPHA));
    assertEquals(ticks.get(0), Instant.parse(schedule.get("lastRunAt").asText()));
    assertTrue(Instant.parse(schedule.get("nextRunAt").asText()).isAfter(Instant.now().minusSeconds(1)));
    assertFalse(schedule.get("lastJobId").isNull());

    assertEquals(200, put("each-minute", KEY_ALPHA, "{\"cron\":\"* * * * * *\",\"job\":{\"type\":\"noop\"},"
        + "\"paused\":true}").statusCode());
    Instant pausedAt = Instant.now();
    Http.pause(2_500);
    assertEquals(1, ticks("each-minute").size(), "paused: nothing fires");
    Instant resumedAt = Instant.now();
    assertEquals(200, put("each-minute", KEY_ALPHA, "{\"cron\":\"* * * * * *\",\"job\":{\"type\":\"noop\"},"
        + "\"paused\":false}").statusCode());
    Http.eventually(() -> ticks("each-minute"), fired -> fired.size() >= 3);
    assertEquals(204, delete("each-minute", KEY_ALPHA).statusCode());
    ticks("each-minute").stream().skip(1).forEach(tick -> assertTrue(tick.isAfter(resumedAt),
        "resumed from now, not with the ticks of the pause from " + pausedAt + ": " + tick));
  }
}
