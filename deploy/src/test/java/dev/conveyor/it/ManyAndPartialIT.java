package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.Http.get;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.PollingIT.FAR_FUTURE;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_EPSILON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    String done = submitted(KEY_EPSILON, "{\"type\":\"noop\"}");
    String later = submitted(KEY_EPSILON, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    String soon = submitted(KEY_EPSILON, "{\"type\":\"sleep\",\"payload\":{\"ms\":60000,\"steps\":1}}");
    String othersJob = submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    String unknown = JobIds.next().toString();
    Http.awaitTerminal(KEY_EPSILON, done);

    HttpResponse<String> response = get("/v1/jobs?ids=" + String.join(",", later, done, othersJob, "not-an-id", soon,
        unknown, done), KEY_EPSILON);
    assertEquals(200, response.statusCode(), response.body());
    JsonNode body = json(response);
    List<String> items = new ArrayList<>();
    long soonest = Long.MAX_VALUE;
    for (JsonNode item : body.get("items")) {
      items.add(item.get("id").asText());
      if (item.has("nextPollAfterMs")) {
        soonest = Math.min(soonest, item.get("nextPollAfterMs").asLong());
      }
    }
    assertEquals(List.of(later, done, soon), items, "the caller's jobs, in the order asked, each once");
    List<String> missing = new ArrayList<>();
    body.get("missing").forEach(id -> missing.add(id.asText()));
    assertEquals(List.of(othersJob, "not-an-id", unknown), missing, "another tenant's job is missing like the rest");
    assertEquals(Long.toString(soonest), response.headers().firstValue("Poll-After-Ms").orElseThrow(),
        "the smallest hint of the jobs not terminal");
    assertEquals("no-cache", response.headers().firstValue("Cache-Control").orElseThrow());

    HttpResponse<String> allDone = get("/v1/jobs?ids=" + done, KEY_EPSILON);
    assertEquals(200, allDone.statusCode(), allDone.body());
    assertFalse(allDone.headers().firstValue("Poll-After-Ms").isPresent(), "no hint once every job is terminal");
    assertEquals(0, json(allDone).get("missing").size());
    Http.send(Http.request("/v1/jobs/" + soon + "/cancel", KEY_EPSILON).POST(HttpRequest.BodyPublishers.noBody()));
  }

  @Test
  void idsRefusesOtherFiltersTooManyIdsAndEmptyOnes() {
    String id = submitted(KEY_EPSILON, "{\"type\":\"noop\"}");
    for (String filter : List.of("status=queued", "type=noop", "schedule=nightly", "limit=5", "cursor=abc")) {
      assertProblem(get("/v1/jobs?ids=" + id + "&" + filter, KEY_EPSILON), 400);
    }
    String hundred = String.join(",", Collections.nCopies(100, id));
    assertEquals(200, get("/v1/jobs?ids=" + hundred, KEY_EPSILON).statusCode(), "100 ids at most");
    assertProblem(get("/v1/jobs?ids=" + hundred + "," + id, KEY_EPSILON), 400);
    assertProblem(get("/v1/jobs?ids=", KEY_EPSILON), 400);
    assertProblem(get("/v1/jobs?ids=" + id + ",," + id, KEY_EPSILON), 400);
    assertProblem(get("/v1/jobs?ids=" + id + "&ids=" + id, KEY_EPSILON), 400);
  }

  @Test
  void fieldsTrimsEveryJobAnswerToTheFieldsNamedPlusIdAndKeepsTheEtag() {
    HttpResponse<String> accepted = Http.send(Http.request("/v1/jobs?fields=status", KEY_EPSILON)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"," + FAR_FUTURE + "}")));
    assertEquals(202, accepted.statusCode(), accepted.body());
    assertEquals(Set.of("id", "status"), names(json(accepted)));
    assertTrue(accepted.headers().firstValue("Poll-After-Ms").isPresent(), "the hint header stays");
    String id = json(accepted).get("id").asText();

    HttpResponse<String> full = get("/v1/jobs/" + id, KEY_EPSILON);
    HttpResponse<String> partial = get("/v1/jobs/" + id + "?fields=status,%20payload,progress", KEY_EPSILON);
    assertEquals(Set.of("id", "status", "payload", "progress"), names(json(partial)));
    assertEquals(full.headers().firstValue("ETag"), partial.headers().firstValue("ETag"), "the ETag is the job's");
    assertTrue(names(json(full)).containsAll(Set.of("type", "createdAt", "nextPollAfterMs")), "no fields: all");
    assertEquals(Set.of("id", "nextPollAfterMs"), names(json(get("/v1/jobs/" + id + "?fields=nextPollAfterMs",
        KEY_EPSILON))));

    JsonNode page = json(get("/v1/jobs?limit=3&fields=type", KEY_EPSILON));
    assertEquals(3, page.get("items").size());
    page.get("items").forEach(item -> assertEquals(Set.of("id", "type"), names(item)));
    assertTrue(page.has("nextCursor"), "only the jobs are trimmed, not the page around them");
    JsonNode many = json(get("/v1/jobs?ids=" + id + "&fields=runAt", KEY_EPSILON));
    assertEquals(Set.of("id", "runAt"), names(many.get("items").get(0)));

    HttpResponse<String> cancelled = Http.send(Http.request("/v1/jobs/" + id + "/cancel?fields=status", KEY_EPSILON)
        .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, cancelled.statusCode(), cancelled.body());
    assertEquals("cancelled", json(cancelled).get("status").asText());
    assertEquals(Set.of("id", "status"), names(json(cancelled)));

    String event = Http.lines(Http.request("/v1/jobs/" + id + "/events?fields=status", KEY_EPSILON).GET()).body()
        .filter(line -> line.startsWith("data: ")).findFirst().orElseThrow().substring("data: ".length());
    assertEquals(Set.of("id", "status"), names(Json.parse(event)));
  }

  @Test
  void anUnknownFieldIs400AndASubmitNamingOneCreatesNothing() {
    long before = epsilonJobs();
    for (String path : List.of("/v1/jobs?fields=status,bogus", "/v1/jobs/batch?fields=", "/v1/jobs?fields=tenant")) {
      String body = path.contains("batch") ? "{\"jobs\":[{\"type\":\"noop\"}]}" : "{\"type\":\"noop\"}";
      assertProblem(Http.send(Http.request(path, KEY_EPSILON).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body))), 400);
    }
    assertEquals(before, epsilonJobs(), "nothing was created");
    String id = submitted(KEY_EPSILON, "{\"type\":\"noop\"}");
    assertProblem(get("/v1/jobs/" + id + "?fields=Status", KEY_EPSILON), 400);
    assertProblem(get("/v1/jobs?fields=status&fields=type", KEY_EPSILON), 400);
    assertProblem(get("/v1/jobs/" + id + "/events?fields=nope", KEY_EPSILON), 400);
  }

  private static long epsilonJobs() {
    return TestStack.sql("SELECT count(*) FROM jobs WHERE tenant = 'epsilon'").iterator().next().getLong(0);
  }

  private static Set<String> names(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
