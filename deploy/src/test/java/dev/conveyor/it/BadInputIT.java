package dev.conveyor.it;

import static dev.conveyor.it.TestStack.KEY_GAMMA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad submission gets a clear 4xx problem+json and creates nothing. Tenant gamma submits only bad
 * requests, so it must end with no jobs at all.
 */
@ExtendWith(TestStack.class)
class BadInputIT {

  static Stream<Arguments> badBodies() {
    return Stream.of(
        Arguments.of("malformed JSON", "{\"type\": ", 400),
        Arguments.of("trailing garbage", "{\"type\":\"noop\"} x", 400),
        Arguments.of("two values", "{\"type\":\"noop\"}{}", 400),
        Arguments.of("duplicate key", "{\"type\":\"noop\",\"type\":\"sleep\"}", 400),
        Arguments.of("array body", "[{\"type\":\"noop\"}]", 400),
        Arguments.of("string body", "\"noop\"", 400),
        Arguments.of("null body", "null", 400),
        Arguments.of("empty body", "", 400),
        Arguments.of("missing type", "{\"payload\":{}}", 400),
        Arguments.of("null type", "{\"type\":null}", 400),
        Arguments.of("numeric type", "{\"type\":7}", 400),
        Arguments.of("type with capitals", "{\"type\":\"Noop\"}", 400),
        Arguments.of("type too long", "{\"type\":\"" + "a".repeat(65) + "\"}", 400),
        Arguments.of("type with space", "{\"type\":\"no op\"}", 400),
        Arguments.of("unknown type", "{\"type\":\"never-declared\"}", 422),
        Arguments.of("priority unknown", "{\"type\":\"noop\",\"priority\":\"urgent\"}", 400),
        Arguments.of("priority number", "{\"type\":\"noop\",\"priority\":1}", 400),
        Arguments.of("maxAttempts zero", "{\"type\":\"noop\",\"maxAttempts\":0}", 400),
        Arguments.of("maxAttempts 21", "{\"type\":\"noop\",\"maxAttempts\":21}", 400),
        Arguments.of("maxAttempts string", "{\"type\":\"noop\",\"maxAttempts\":\"3\"}", 400),
        Arguments.of("maxAttempts fraction", "{\"type\":\"noop\",\"maxAttempts\":2.5}", 400),
        Arguments.of("timeoutMs too small", "{\"type\":\"noop\",\"timeoutMs\":999}", 400),
        Arguments.of("timeoutMs too large", "{\"type\":\"noop\",\"timeoutMs\":86400001}", 400),
        Arguments.of("timeoutMs string", "{\"type\":\"noop\",\"timeoutMs\":\"5000\"}", 400),
        Arguments.of("runAt number", "{\"type\":\"noop\",\"runAt\":1764000000}", 400),
        Arguments.of("callbackUrl number", "{\"type\":\"noop\",\"callbackUrl\":42}", 400),
        Arguments.of("callbackUrl without host", "{\"type\":\"noop\",\"callbackUrl\":\"http:///x\"}", 400),
        Arguments.of("runAt not a time", "{\"type\":\"noop\",\"runAt\":\"tomorrow\"}", 400),
        Arguments.of("runAt without offset", "{\"type\":\"noop\",\"runAt\":\"2026-11-22T10:15:30\"}", 400),
        Arguments.of("callbackUrl not http", "{\"type\":\"noop\",\"callbackUrl\":\"ftp://example.com/x\"}", 400),
        Arguments.of("callbackUrl relative", "{\"type\":\"noop\",\"callbackUrl\":\"/hook\"}", 400),
        Arguments.of("sleep without ms", "{\"type\":\"sleep\",\"payload\":{}}", 422),
        Arguments.of("sleep ms negative", "{\"type\":\"sleep\",\"payload\":{\"ms\":-1}}", 422),
        Arguments.of("sleep ms too large", "{\"type\":\"sleep\",\"payload\":{\"ms\":3600001}}", 422),
        Arguments.of("sleep ms string", "{\"type\":\"sleep\",\"payload\":{\"ms\":\"10\"}}", 422),
        Arguments.of("sleep steps zero", "{\"type\":\"sleep\",\"payload\":{\"ms\":10,\"steps\":0}}", 422),
        Arguments.of("sleep steps 1001", "{\"type\":\"sleep\",\"payload\":{\"ms\":10,\"steps\":1001}}", 422),
        Arguments.of("sleep payload not object", "{\"type\":\"sleep\",\"payload\":[1]}", 422),
        Arguments.of("fail times 21", "{\"type\":\"fail\",\"payload\":{\"times\":21}}", 422),
        Arguments.of("fail message number", "{\"type\":\"fail\",\"payload\":{\"message\":5}}", 422),
        Arguments.of("hash without text", "{\"type\":\"hash\",\"payload\":{}}", 422),
        Arguments.of("hash repeat zero", "{\"type\":\"hash\",\"payload\":{\"text\":\"a\",\"repeat\":0}}", 422),
        Arguments.of("hash repeat too large", "{\"type\":\"hash\",\"payload\":{\"text\":\"a\",\"repeat\":10000001}}", 422),
        Arguments.of("hash algorithm MD5", "{\"type\":\"hash\",\"payload\":{\"text\":\"a\",\"algorithm\":\"MD5\"}}", 422),
        Arguments.of("nested 65 deep", "{\"type\":\"noop\",\"payload\":" + nested(64) + "}", 400));
  }

  @ParameterizedTest(name = "{0} → {2}")
  @MethodSource("badBodies")
  void badBodyIsRefusedWithAProblem(String name, String body, int status) {
    assertProblem(Http.submit(KEY_GAMMA, body), status);
  }

  @Test
  void nestingOf64LevelsIsAccepted() {
    HttpResponse<String> response = Http.submit(TestStack.KEY_ALPHA, "{\"type\":\"noop\",\"payload\":" + nested(63) + "}");
    assertEquals(202, response.statusCode(), response.body());
  }

  @Test
  void invalidUtf8IsRefused() {
    byte[] body = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertProblem(Http.send(Http.request("/v1/jobs", KEY_GAMMA).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))), 400);
    byte[] utf16 = "{\"type\":\"noop\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16);
    assertProblem(Http.send(Http.request("/v1/jobs", KEY_GAMMA).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(utf16))), 400);
  }

  @Test
  void nonJsonContentTypeIs415() {
    assertProblem(Http.send(Http.request("/v1/jobs", KEY_GAMMA).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"}"))), 415);
    assertProblem(Http.send(Http.request("/v1/jobs", KEY_GAMMA)
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"}"))), 415);
  }

  @Test
  void bodyOverTheLimitIs413() {
    String big = "{\"type\":\"noop\",\"payload\":{\"s\":\"" + "x".repeat(1 << 20) + "\"}}";
    assertProblem(Http.submit(KEY_GAMMA, big), 413);
  }

  @Test
  void missingOrUnknownKeyIs401WithChallenge() {
    HttpResponse<String> none = Http.send(Http.request("/v1/jobs", null).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"}")));
    assertProblem(none, 401);
    assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElseThrow());
    HttpResponse<String> unknown = Http.submit("not-a-key", "{\"type\":\"noop\"}");
    assertProblem(unknown, 401);
    assertEquals("Bearer", unknown.headers().firstValue("WWW-Authenticate").orElseThrow());
    HttpResponse<String> basic = Http.send(Http.request("/v1/jobs/x", null).header("Authorization", "Basic YTpi").GET());
    assertProblem(basic, 401);
  }

  @AfterAll
  static void nothingWasCreated() {
    assertEquals(0L, TestStack.sql("SELECT count(*) FROM jobs WHERE tenant = 'gamma'").iterator().next().getLong(0));
  }

  static void assertProblem(HttpResponse<String> response, int status) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
    JsonNode problem = Http.json(response);
    assertEquals(status, problem.get("status").asInt());
    assertTrue(problem.get("type").isTextual());
    assertTrue(problem.get("title").isTextual());
    assertFalse(problem.get("detail").asText().isBlank());
    assertFalse(response.body().contains("Exception") || response.body().contains("at dev."), response.body());
  }

  private static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }
}
