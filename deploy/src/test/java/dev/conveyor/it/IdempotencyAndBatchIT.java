package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.request;
import static dev.conveyor.it.Http.send;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_BETA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Idempotency-Key on single and batch submits, and the batch endpoint's all-or-nothing validation. */
@ExtendWith(TestStack.class)
class IdempotencyAndBatchIT {

  private static HttpResponse<String> post(String path, String key, String idempotencyKey, String body) {
    HttpRequest.Builder builder = request(path, key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKey != null) {
      builder.header("Idempotency-Key", idempotencyKey);
    }
    return send(builder);
  }

  private static long jobsMarked(String marker) {
    return TestStack.sql("SELECT count(*) FROM jobs WHERE payload->>'marker' = $1", marker)
        .iterator().next().getLong(0);
  }

  @Test
  void repeatWithAnEqualBodyReturnsTheSameJob() {
    String key = "order-" + UUID.randomUUID();
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> first = post("/v1/jobs", KEY_ALPHA, key,
        "{\"type\":\"sleep\",\"payload\":{\"ms\":400,\"marker\":\"" + marker + "\"}}");
    assertEquals(202, first.statusCode());
    assertFalse(first.headers().firstValue("Idempotent-Replayed").isPresent());
    HttpResponse<String> again = post("/v1/jobs", KEY_ALPHA, key,
        "{ \"payload\": {\"marker\":\"" + marker + "\", \"ms\": 400}, \"type\": \"sleep\" }");
    assertEquals(json(first).get("id"), json(again).get("id"));
    assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElseThrow());
    assertEquals(202, again.statusCode());

    Http.awaitTerminal(KEY_ALPHA, json(first).get("id").asText());
    HttpResponse<String> afterEnd = post("/v1/jobs", KEY_ALPHA, key,
        "{\"type\":\"sleep\",\"payload\":{\"ms\":400,\"marker\":\"" + marker + "\"}}");
    assertEquals(200, afterEnd.statusCode(), "terminal by now");
    assertEquals("succeeded", json(afterEnd).get("status").asText());
    assertEquals(1, jobsMarked(marker));
  }

  @Test
  void sameKeyWithAnotherBodyIs422AndCreatesNothing() {
    String key = "k-" + UUID.randomUUID();
    String marker = UUID.randomUUID().toString();
    assertEquals(202, post("/v1/jobs", KEY_ALPHA, key, "{\"type\":\"noop\",\"payload\":{\"marker\":\"" + marker
        + "\"}}").statusCode());
    assertProblem(post("/v1/jobs", KEY_ALPHA, key, "{\"type\":\"noop\",\"payload\":{\"marker\":\"" + marker
        + "\",\"x\":1}}"), 422);
    assertEquals(1, jobsMarked(marker));
  }

  @Test
  void keysBelongToOneTenant() {
    String key = "shared-" + UUID.randomUUID();
    String body = "{\"type\":\"noop\"}";
    String alphaJob = json(post("/v1/jobs", KEY_ALPHA, key, body)).get("id").asText();
    HttpResponse<String> beta = post("/v1/jobs", KEY_BETA, key, body);
    assertEquals(202, beta.statusCode());
    assertNotEquals(alphaJob, json(beta).get("id").asText());
    assertFalse(beta.headers().firstValue("Idempotent-Replayed").isPresent());
  }

  @Test
  void concurrentIdenticalRequestsMakeExactlyOneJob() throws Exception {
    String key = "race-" + UUID.randomUUID();
    String marker = UUID.randomUUID().toString();
    String body = "{\"type\":\"noop\",\"payload\":{\"marker\":\"" + marker + "\"}}";
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      answers.add(pool.submit(() -> {
        start.await();
        return post("/v1/jobs", KEY_ALPHA, key, body);
      }));
    }
    start.countDown();
    Set<String> ids = new HashSet<>();
    for (Future<HttpResponse<String>> answer : answers) {
      HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
      assertTrue(response.statusCode() == 202 || response.statusCode() == 200 || response.statusCode() == 409,
          response.statusCode() + " " + response.body());
      if (response.statusCode() != 409) {
        ids.add(json(response).get("id").asText());
      } else {
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
      }
    }
    pool.shutdown();
    assertEquals(1, ids.size(), "one job id among the answers: " + ids);
    assertEquals(1, jobsMarked(marker));
  }

  @Test
  void malformedIdempotencyKeysAre400() {
    for (String bad : List.of("", "x".repeat(256))) {
      assertProblem(post("/v1/jobs", KEY_ALPHA, bad, "{\"type\":\"noop\"}"), 400);
    }
  }

  @Test
  void batchCreatesEveryJobInRequestOrder() {
    String marker = UUID.randomUUID().toString();
    StringBuilder jobs = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      jobs.append(i == 0 ? "" : ",").append("{\"type\":\"noop\",\"payload\":{\"marker\":\"").append(marker)
          .append("\",\"i\":").append(i).append("}}");
    }
    HttpResponse<String> response = post("/v1/jobs/batch", KEY_ALPHA, null, "{\"jobs\":[" + jobs + "]}");
    assertEquals(202, response.statusCode(), response.body());
    JsonNode items = json(response).get("items");
    assertEquals(25, items.size());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 25; i++) {
      assertEquals(i, items.get(i).get("payload").get("i").asInt());
      ids.add(items.get(i).get("id").asText());
    }
    assertEquals(25, ids.size());
    for (String id : ids) {
      assertEquals("succeeded", Http.awaitTerminal(KEY_ALPHA, id).get("status").asText());
    }
    assertEquals(25, jobsMarked(marker));
  }

  @Test
  void batchNamesEveryBadIndexAndCreatesNothing() {
    String marker = UUID.randomUUID().toString();
    String good = "{\"type\":\"noop\",\"payload\":{\"marker\":\"" + marker + "\"}}";
    HttpResponse<String> malformed = post("/v1/jobs/batch", KEY_ALPHA, null, "{\"jobs\":[" + good
        + ",{\"type\":5}," + good + ",{\"type\":\"never-declared\"},{\"type\":\"noop\",\"maxAttempts\":0}]}");
    assertProblem(malformed, 400);
    List<Integer> indexes = new ArrayList<>();
    json(malformed).get("errors").forEach(e -> indexes.add(e.get("index").asInt()));
    assertEquals(List.of(1, 3, 4), indexes, "every bad index, malformed or not");

    HttpResponse<String> rejected = post("/v1/jobs/batch", KEY_ALPHA, null, "{\"jobs\":[" + good
        + ",{\"type\":\"never-declared\"},{\"type\":\"sleep\",\"payload\":{}}]}");
    assertProblem(rejected, 422);
    assertEquals(2, json(rejected).get("errors").size());
    assertEquals(1, json(rejected).get("errors").get(0).get("index").asInt());
    assertEquals(2, json(rejected).get("errors").get(1).get("index").asInt());
    assertEquals(0, jobsMarked(marker));
  }

  @Test
  void batchShapeIsChecked() {
    assertProblem(post("/v1/jobs/batch", KEY_ALPHA, null, "{\"jobs\":[]}"), 400);
    assertProblem(post("/v1/jobs/batch", KEY_ALPHA, null, "{\"jobs\":{}}"), 400);
    assertProblem(post("/v1/jobs/batch", KEY_ALPHA, null, "[]"), 400);
    assertProblem(post("/v1/jobs/batch", KEY_ALPHA, null, "{}"), 400);
    String many = "{\"type\":\"noop\"},".repeat(1001);
    assertProblem(post("/v1/jobs/batch", KEY_ALPHA, null, "{\"jobs\":[" + many.substring(0, many.length() - 1)
        + "]}"), 400);
  }

  @Test
  void batchIsIdempotentAsAWhole() {
    String key = "batch-" + UUID.randomUUID();
    String body = "{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"noop\",\"payload\":1}]}";
    HttpResponse<String> first = post("/v1/jobs/batch", KEY_ALPHA, key, body);
    HttpResponse<String> again = post("/v1/jobs/batch", KEY_ALPHA, key, body);
    assertEquals(json(first).get("items").get(0).get("id"), json(again).get("items").get(0).get("id"));
    assertEquals(json(first).get("items").get(1).get("id"), json(again).get("items").get(1).get("id"));
    assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElseThrow());
    assertProblem(post("/v1/jobs", KEY_ALPHA, key, "{\"type\":\"noop\"}"), 422);
  }
}
