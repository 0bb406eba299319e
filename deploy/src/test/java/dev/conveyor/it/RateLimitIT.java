package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.Http.get;
import static dev.conveyor.it.Http.submit;
import static dev.conveyor.it.PollingIT.FAR_FUTURE;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_CAPPED;
import static dev.conveyor.it.TestStack.KEY_LIMITED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-tenant token buckets with the IETF RateLimit headers, and the cap on queued jobs. */
@ExtendWith(TestStack.class)
class RateLimitIT {
  private static final Pattern REMAINING = Pattern.compile("\"tenant\";r=(\\d+);t=(\\d+)");

  @Test
  void everyV1AnswerCarriesTheTenantsRateLimitHeaders() {
    String id = Http.submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    List<HttpResponse<String>> answers = List.of(get("/v1/jobs/" + id, KEY_ALPHA), get("/v1/jobs", KEY_ALPHA),
        get("/v1/jobs/019374c2-6d1e-7cc0-9a8e-3f0b5d1e2a44", KEY_ALPHA), get("/v1/jobs?limit=0", KEY_ALPHA),
        get("/v1/job-types", KEY_ALPHA), submit(KEY_ALPHA, "{\"type\":\"noop\"}"));
    for (HttpResponse<String> answer : answers) {
      assertTrue(answer.headers().firstValue("RateLimit-Policy").orElse("").matches("\"tenant\";q=\\d+;w=\\d+"),
          answer.statusCode() + " " + answer.headers().map());
      assertTrue(REMAINING.matcher(answer.headers().firstValue("RateLimit").orElse("")).matches(),
          answer.statusCode() + " " + answer.headers().map());
    }
  }

  @Test
  void overTheRateIs429UntilTokensComeBack() {
    int allowed = 0;
    HttpResponse<String> refused = null;
    for (int i = 0; i < 10 && refused == null; i++) {
      HttpResponse<String> answer = get("/v1/jobs", KEY_LIMITED);
      if (answer.statusCode() == 429) {
        refused = answer;
      } else {
        assertEquals(200, answer.statusCode());
        allowed++;
      }
    }
    assertTrue(refused != null && allowed >= 3 && allowed <= 4, "allowed " + allowed + " before a 429");
    assertProblem(refused, 429);
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
    Matcher rateLimit = REMAINING.matcher(refused.headers().firstValue("RateLimit").orElseThrow());
    assertTrue(rateLimit.matches());
    assertEquals("0", rateLimit.group(1));
    assertEquals("\"tenant\";q=3;w=3", refused.headers().firstValue("RateLimit-Policy").orElseThrow());
    long refusedAt = System.nanoTime();
    Http.eventually(() -> get("/v1/jobs", KEY_LIMITED), r -> r.statusCode() == 200);
    long waitedMs = (System.nanoTime() - refusedAt) / 1_000_000;
    assertTrue(waitedMs <= retryAfter * 1000 + 1000, "a token came back after " + waitedMs + " ms, as Retry-After said");
  }

  @Test
  void queuedJobsPastTheTenantsCapAre429AndNothingIsCreated() {
    String first = Http.submitted(KEY_CAPPED, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    Http.submitted(KEY_CAPPED, "{\"type\":\"noop\"," + FAR_FUTURE + "}");
    assertProblem(submit(KEY_CAPPED, "{\"type\":\"noop\"," + FAR_FUTURE + "}"), 429);
    assertProblem(Http.send(Http.request("/v1/jobs/batch", KEY_CAPPED).header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"jobs\":[{\"type\":\"noop\"}]}"))), 429);
    assertEquals(2L, TestStack.sql("SELECT count(*) FROM jobs WHERE tenant = 'capped'").iterator().next().getLong(0));

    assertEquals(200, CancelIT.cancel(first, KEY_CAPPED).statusCode());
    HttpResponse<String> again = Http.eventually(() -> submit(KEY_CAPPED, "{\"type\":\"noop\"," + FAR_FUTURE + "}"),
        r -> r.statusCode() != 429);
    assertEquals(202, again.statusCode(), "room again once the count is read anew");
  }
}
