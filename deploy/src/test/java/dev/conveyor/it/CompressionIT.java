package dev.conveyor.it;

import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_GAMMA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** API.md's compression rules: gzip answers over 1 KiB when accepted, and gzip request bodies, decoded and bounded. */
@ExtendWith(TestStack.class)
class CompressionIT {
  private static HttpResponse<String> submitEncoded(String key, byte[] body, String encoding) {
    return Http.send(Http.request("/v1/jobs", key).header("Content-Type", "application/json")
        .header("Content-Encoding", encoding).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private static HttpResponse<byte[]> raw(String path, String acceptEncoding) {
    try {
      return Http.CLIENT.send(Http.request(path, KEY_ALPHA).header("Accept-Encoding", acceptEncoding).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] packed) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(packed))) {
      return in.readAllBytes();
    }
  }

  @Test
  void aGzipBodyIsDecodedAndStored() {
    byte[] body = gzip("{\"type\":\"noop\",\"payload\":{\"greeting\":\"hello, gzip\"}}".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> accepted = submitEncoded(KEY_ALPHA, body, "gzip");
    assertEquals(202, accepted.statusCode(), accepted.body());
    String id = Http.json(accepted).get("id").asText();
    assertEquals("hello, gzip", TestStack.sql("SELECT payload->>'greeting' FROM jobs WHERE id = $1::uuid", id)
        .iterator().next().getString(0), "stored decoded");
  }

  @Test
  void aBodyThatDoesNotDecodeOrInflatesPastTheLimitOrUsesAnotherCodingIsRefusedAndStoresNothing() {
    BadInputIT.assertProblem(submitEncoded(KEY_GAMMA, "{\"type\":\"noop\"}".getBytes(StandardCharsets.UTF_8),
        "gzip"), 400);
    byte[] truncated = gzip("{\"type\":\"noop\",\"payload\":{}}".getBytes(StandardCharsets.UTF_8));
    BadInputIT.assertProblem(submitEncoded(KEY_GAMMA, Arrays.copyOf(truncated, truncated.length / 2), "gzip"), 400);
    byte[] bomb = gzip(("{\"type\":\"noop\",\"payload\":{\"x\":\"" + "a".repeat(2 << 20) + "\"}}")
        .getBytes(StandardCharsets.UTF_8));
    assertTrue(bomb.length < 64 * 1024, "small on the wire: " + bomb.length);
    BadInputIT.assertProblem(submitEncoded(KEY_GAMMA, bomb, "gzip"), 413);
    BadInputIT.assertProblem(submitEncoded(KEY_GAMMA, "{\"type\":\"noop\"}".getBytes(StandardCharsets.UTF_8), "br"),
        415);
    BadInputIT.nothingWasCreated();
  }

  @Test
  void largeAnswersAreGzippedWhenAcceptedAndSmallOnesAreNot() throws IOException {
    for (int i = 0; i < 10; i++) {
      Http.submitted(KEY_ALPHA, "{\"type\":\"noop\",\"payload\":{\"n\":" + i + "}}");
    }
    HttpResponse<byte[]> plain = raw("/v1/jobs?limit=10", "identity");
    HttpResponse<byte[]> packed = raw("/v1/jobs?limit=10", "gzip");
    assertTrue(plain.body().length > 1024, "a page of ten jobs is over 1 KiB");
    assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
    assertEquals("gzip", packed.headers().firstValue("Content-Encoding").orElse(""));
    assertTrue(packed.body().length < plain.body().length / 2, packed.body().length + " of " + plain.body().length);
    JsonNode page = new ObjectMapper().readTree(gunzip(packed.body()));
    assertEquals(10, page.get("items").size());

    String id = Http.submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    HttpResponse<byte[]> status = raw("/v1/jobs/" + id, "gzip");
    assertEquals(200, status.statusCode());
    assertTrue(status.body().length < 1024);
    assertTrue(status.headers().firstValue("Content-Encoding").isEmpty(), "a small status answer is sent as is");
    assertEquals("Accept-Encoding", status.headers().firstValue("Vary").orElse(""));

    HttpResponse<java.util.stream.Stream<String>> events = Http.lines(Http.request("/v1/jobs/" + id + "/events",
        KEY_ALPHA).header("Accept-Encoding", "gzip").GET());
    assertEquals(200, events.statusCode());
    assertTrue(events.headers().firstValue("Content-Encoding").isEmpty(), "events are never compressed");
    assertTrue(events.body().anyMatch(line -> line.startsWith("data: {")), "and read as plain text");
  }
}
