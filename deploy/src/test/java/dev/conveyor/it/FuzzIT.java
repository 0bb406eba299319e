package dev.conveyor.it;

import static dev.conveyor.it.TestStack.KEY_BETA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bounded, seeded fuzz of malformed requests: every answer is a 4xx problem+json (or, for the rare mutation that
 * happens to be valid, a success); never a 5xx, never a dropped connection.
 */
@ExtendWith(TestStack.class)
class FuzzIT {
  private static final long SEED = 20261122L;
  private static final int REQUESTS = 400;
  private static final List<String> VALID = List.of(
      "{\"type\":\"noop\",\"payload\":{\"a\":[1,2,{\"b\":null}]}}",
      "{\"type\":\"sleep\",\"payload\":{\"ms\":10,\"steps\":2},\"priority\":\"high\",\"maxAttempts\":2}",
      "{\"type\":\"hash\",\"payload\":{\"text\":\"x\",\"repeat\":2,\"algorithm\":\"SHA-512\"},\"timeoutMs\":5000}",
      "{\"type\":\"fail\",\"payload\":{\"times\":0},\"runAt\":\"2026-01-01T00:00:00Z\",\"callbackUrl\":\"http://h/x\"}",
      "{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"noop\",\"payload\":1}]}");
  private static final List<String> WEIRD_VALUES = List.of("null", "true", "-1", "1e309", "\"\"", "[]", "{}",
      "\"\\u0000\"", "9999999999999999999999", "\"2026-13-45T99:99:99Z\"", "0.5", "\"high\\n\"", "\"\\ud800\"");
  private static final List<String> FIELDS = List.of("type", "payload", "priority", "maxAttempts", "timeoutMs",
      "runAt", "callbackUrl", "jobs");

  @Test
  void malformedRequestsGetProblemsNeverServerErrors() {
    Random random = new Random(SEED);
    int problems = 0;
    for (int i = 0; i < REQUESTS; i++) {
      HttpRequest.Builder request = mutate(random);
      HttpResponse<String> response = Http.send(request);
      int status = response.statusCode();
      assertTrue(status < 500, "request " + i + " answered " + status + ": " + response.body());
      if (status >= 400) {
        problems++;
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""),
            "request " + i + " (" + status + ")");
        assertTrue(response.body().contains("\"status\":" + status), response.body());
      }
    }
    assertTrue(problems > REQUESTS * 3 / 4, "most mutations are malformed: " + problems + " of " + REQUESTS);
    assertEquals(200, Http.get("/health/ready", null).statusCode(), "the server is still well");
  }

  private static HttpRequest.Builder mutate(Random random) {
    String base = VALID.get(random.nextInt(VALID.size()));
    String path = base.startsWith("{\"jobs\"") ? "/v1/jobs/batch" : "/v1/jobs";
    byte[] body;
    String contentType = "application/json";
    switch (random.nextInt(9)) {
      case 0 -> body = truncate(base, random);
      case 1 -> body = flipBytes(base, random);
      case 2 -> body = replaceField(base, random);
      case 3 -> body = (base.substring(0, random.nextInt(base.length())) + "\"" + base).getBytes(StandardCharsets.UTF_8);
      case 4 -> {
        body = base.getBytes(StandardCharsets.UTF_8);
        contentType = List.of("text/json", "application/xml", "application/x-www-form-urlencoded", "",
            "multipart/form-data").get(random.nextInt(5));
      }
      case 5 -> body = ("{\"type\":\"noop\",\"payload\":" + "[".repeat(60 + random.nextInt(20))
          + "]".repeat(random.nextInt(90))).getBytes(StandardCharsets.UTF_8);
      case 6 -> {
        byte[] noise = new byte[random.nextInt(200)];
        random.nextBytes(noise);
        body = noise;
      }
      case 7 -> {
        body = base.getBytes(StandardCharsets.UTF_8);
        path = List.of("/v1/jobs/" + randomText(random, 40), "/v1/jobs?limit=" + randomText(random, 5),
            "/v1/jobs/%00", "/v1/jobs/../../etc/passwd", "/v1/jobs?status=" + randomText(random, 8),
            "/v1/jobs/" + java.util.UUID.randomUUID() + "/cancel", "/v1/job-types/x").get(random.nextInt(7));
      }
      default -> body = ("{\"type\":\"noop\",\"" + FIELDS.get(random.nextInt(FIELDS.size())) + "\":"
          + WEIRD_VALUES.get(random.nextInt(WEIRD_VALUES.size())) + "}").getBytes(StandardCharsets.UTF_8);
    }
    HttpRequest.Builder request = Http.request(safePath(path), KEY_BETA)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (!contentType.isEmpty()) {
      request.header("Content-Type", contentType);
    }
    return request;
  }

  private static byte[] truncate(String base, Random random) {
    return base.substring(0, 1 + random.nextInt(base.length() - 1)).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] flipBytes(String base, Random random) {
    byte[] bytes = base.getBytes(StandardCharsets.UTF_8);
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  private static byte[] replaceField(String base, Random random) {
    String field = FIELDS.get(random.nextInt(FIELDS.size()));
    String value = WEIRD_VALUES.get(random.nextInt(WEIRD_VALUES.size()));
    String replaced = base.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[^,}]*)", "\"" + field + "\":" + value);
    return (replaced.equals(base) ? base.replaceFirst("\\{", "{\"" + field + "\":" + value + ",") : replaced)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String randomText(Random random, int max) {
    StringBuilder text = new StringBuilder();
    for (int n = random.nextInt(max + 1); n > 0; n--) {
      text.append((char) (33 + random.nextInt(94)));
    }
    return text.toString();
  }

  /** Characters a URI cannot carry are percent-encoded; the server still sees garbage. */
  private static String safePath(String path) {
    StringBuilder out = new StringBuilder();
    for (char c : path.toCharArray()) {
      if (Character.isLetterOrDigit(c) || "/-._~?=&".indexOf(c) >= 0 || path.startsWith("/v1/jobs/%00")) {
        out.append(c);
      } else {
        out.append(String.format("%%%02X", (int) c));
      }
    }
    return out.toString();
  }
}
