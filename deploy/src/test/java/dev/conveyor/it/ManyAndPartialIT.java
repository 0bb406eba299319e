package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.Http.get;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.PollingIT.FAR_FUTURE;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_ZETA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** API.md's {@code GET /v1/jobs?ids=} (many jobs in one request) and {@code fields=} (partial responses). */
@ExtendWith(TestStack.class)
class ManyAndPartialIT {

  @Test
  void idsAnswersTheCallersJobsInTheOrderAskedAndListsTheRestAsMissingWithTheSoonestHint() {
    String done = submitted(KEY_ZETA, "{\"type\":\"noop\"}");
    String later = submitted(KEY_ZETA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    String running = submitted(KEY_ZETA, "{\"type\":\"sleep\",\"payload\":{\"ms\":8000,\"steps\":80}}");
    String othersJob = submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    String unknown = JobIds.next().toString();
    Http.awaitTerminal(KEY_ZETA, done);
    Http.awaitJob(KEY_ZETA, running, job -> job.get("progress").path("percent").asInt() > 0, Duration.ofSeconds(30));

    // The job queued for 2099 has the largest hint there is, the running one (8 s) a smaller one, asked for later.
    HttpResponse<String> response = get("/v1/jobs?ids=" + String.join(",", later, done, othersJob, "not-an-id",
        running, unknown, done), KEY_ZETA);
    assertEquals(200, response.statusCode(), response.body());
    JsonNode body = json(response);
    List<String> items = new ArrayList<>();
    List<Long> hints = new ArrayList<>();
    for (JsonNode item : body.get("items")) {
      items.add(item.get("id").asText());
      if (item.has("nextPollAfterMs")) {
        hints.add(item.get("nextPollAfterMs").asLong());
      }
    }
    assertEquals(List.of(later, done, running), items, "the caller's jobs, in the order asked, each once");
    List<String> missing = new ArrayList<>();
    body.get("missing").forEach(id -> missing.add(id.asText()));
    assertEquals(List.of(othersJob, "not-an-id", unknown), missing, "another tenant's job is missing like the rest");
    assertEquals(2, hints.size(), "a hint for each job not terminal: " + hints);
    assertTrue(hints.get(0) > hints.get(1), "the first job's hint is not the smallest, so the next check tells: "
        + hints);
    assertEquals(Long.toString(hints.get(1)), response.headers().firstValue("Poll-After-Ms").orElseThrow(),
        "the smallest hint of the jobs not terminal");
    assertEquals("no-cache", response.headers().firstValue("Cache-Control").orElseThrow());

    HttpResponse<String> allDone = get("/v1/jobs?ids=" + done, KEY_ZETA);
    assertEquals(200, allDone.statusCode(), allDone.body());
    assertFalse(allDone.headers().firstValue("Poll-After-Ms").isPresent(), "no hint once every job is terminal");
    assertEquals(0, json(allDone).get("missing").size());
    Http.send(Http.request("/v1/jobs/" + running + "/cancel", KEY_ZETA).POST(HttpRequest.BodyPublishers.noBody()));
  }

  @Test
  void idsRefusesJobsWhosePayloadsPassWhatOneAnswerCarries() {
    // Kept queued, so that no result (a noop's echoes its payload) adds to the sizes.
    String big = "{\"type\":\"noop\"," + FAR_FUTURE + ",\"payload\":{\"s\":\"" + "x".repeat(900_000) + "\"}}";
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(submitted(KEY_ZETA, big));
    }
    HttpResponse<String> four = get("/v1/jobs?ids=" + String.join(",", ids.subList(0, 4)), KEY_ZETA);
    assertEquals(200, four.statusCode());
    assertEquals(4, json(four).get("items").size(), "3.6 MB of payloads fit in one answer");
    assertProblem(get("/v1/jobs?ids=" + String.join(",", ids), KEY_ZETA), 422);
  }

  @Test
  void idsRefusesOtherFiltersTooManyIdsAndEmptyOnes() {
    String id = submitted(KEY_ZETA, "{\"type\":\"noop\"}");
    for (String filter : List.of("status=queued", "type=noop", "schedule=nightly", "limit=5", "cursor=abc")) {
      assertProblem(get("/v1/jobs?ids=" + id + "&" + filter, KEY_ZETA), 400);
    }
    String hundred = String.join(",", Collections.nCopies(100, id));
    assertEquals(200, get("/v1/jobs?ids=" + hundred, KEY_ZETA).statusCode(), "100 ids at most");
    assertProblem(get("/v1/jobs?ids=" + hundred + "," + id, KEY_ZETA), 400);
    assertProblem(get("/v1/jobs?ids=", KEY_ZETA), 400);
    assertProblem(get("/v1/jobs?ids=" + id + ",," + id, KEY_ZETA), 400);
    assertProblem(get("/v1/jobs?ids=" + id + "&ids=" + id, KEY_ZETA), 400);
  }

  @Test
  void fieldsTrimsEveryJobAnswerToTheFieldsNamedPlusIdAndKeepsTheEtag() {
    HttpResponse<String> accepted = Http.send(Http.request("/v1/jobs?fields=status", KEY_ZETA)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"," + FAR_FUTURE + "}")));
    assertEquals(202, accepted.statusCode(), accepted.body());
    assertEquals(Set.of("id", "status"), names(json(accepted)));
    assertTrue(accepted.headers().firstValue("Poll-After-Ms").isPresent(), "the hint header stays");
    String id = json(accepted).get("id").asText();

    HttpResponse<String> full = get("/v1/jobs/" + id, KEY_ZETA);
    HttpResponse<String> partial = get("/v1/jobs/" + id + "?fields=status,%20payload,progress", KEY_ZETA);
    assertEquals(Set.of("id", "status", "payload", "progress"), names(json(partial)));
    assertTrue(full.headers().firstValue("ETag").isPresent());
    assertEquals(full.headers().firstValue("ETag"), partial.headers().firstValue("ETag"), "the ETag is the job's");
    assertTrue(names(json(full)).containsAll(Set.of("type", "createdAt", "nextPollAfterMs")), "no fields: all");
    assertEquals(Set.of("id", "nextPollAfterMs"), names(json(get("/v1/jobs/" + id + "?fields=nextPollAfterMs",
        KEY_ZETA))));

    submitted(KEY_ZETA, "{\"type\":\"noop\"}");
    JsonNode page = json(get("/v1/jobs?limit=2&fields=type", KEY_ZETA));
    assertEquals(2, page.get("items").size());
    page.get("items").forEach(item -> assertEquals(Set.of("id", "type"), names(item)));
    assertTrue(page.has("nextCursor"), "only the jobs are trimmed, not the page around them");
    JsonNode many = json(get("/v1/jobs?ids=" + id + "&fields=runAt", KEY_ZETA));
    assertEquals(Set.of("id", "runAt"), names(many.get("items").get(0)));

    HttpResponse<String> cancelled = Http.send(Http.request("/v1/jobs/" + id + "/cancel?fields=status", KEY_ZETA)
        .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, cancelled.statusCode(), cancelled.body());
    assertEquals("cancelled", json(cancelled).get("status").asText());
    assertEquals(Set.of("id", "status"), names(json(cancelled)));

    String event = Http.lines(Http.request("/v1/jobs/" + id + "/events?fields=status", KEY_ZETA).GET()).body()
        .filter(line -> line.startsWith("data: ")).findFirst().orElseThrow().substring("data: ".length());
    assertEquals(Set.of("id", "status"), names(Json.parse(event)));
  }

  @Test
  void anUnknownFieldIs400AndASubmitNamingOneCreatesNothing() {
    long before = zetaJobs();
    for (String path : List.of("/v1/jobs?fields=status,bogus", "/v1/jobs/batch?fields=", "/v1/jobs?fields=tenant")) {
      String body = path.contains("batch") ? "{\"jobs\":[{\"type\":\"noop\"}]}" : "{\"type\":\"noop\"}";
      assertProblem(Http.send(Http.request(path, KEY_ZETA).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body))), 400);
    }
    assertEquals(before, zetaJobs(), "nothing was created");
    String queued = submitted(KEY_ZETA, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    assertProblem(Http.send(Http.request("/v1/jobs/" + queued + "/cancel?fields=bogus", KEY_ZETA)
        .POST(HttpRequest.BodyPublishers.noBody())), 400);
    assertEquals("queued", json(get("/v1/jobs/" + queued, KEY_ZETA)).get("status").asText(), "not cancelled");
    String id = submitted(KEY_ZETA, "{\"type\":\"noop\"}");
    assertProblem(get("/v1/jobs/" + id + "?fields=Status", KEY_ZETA), 400);
    assertProblem(get("/v1/jobs?fields=status&fields=type", KEY_ZETA), 400);
    assertProblem(get("/v1/jobs/" + id + "/events?fields=nope", KEY_ZETA), 400);
  }

  private static long zetaJobs() {
    return TestStack.sql("SELECT count(*) FROM jobs WHERE tenant = 'zeta'").iterator().next().getLong(0);
  }

  private static Set<String> names(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
