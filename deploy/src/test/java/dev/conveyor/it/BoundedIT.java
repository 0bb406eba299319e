package dev.conveyor.it;

import static dev.conveyor.it.PollingIT.FAR_FUTURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.it.faults.IsolatedStack;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Memory stays bounded: list pages are capped in bytes, and a slow event-stream reader is never buffered for. */
@ExtendWith(TestStack.class)
class BoundedIT {
  private static final String BIG = "x".repeat(900_000);

  @Test
  void aPageOfLargeJobsIsCutByItsSizeAndPagingStillCoversEveryJob() {
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      created.add(Http.submitted(TestStack.KEY_EPSILON, "{\"type\":\"noop\"," + FAR_FUTURE
          + ",\"payload\":{\"big\":\"" + BIG + "\"}}"));
    }
    Set<String> listed = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      HttpResponse<String> page = Http.get("/v1/jobs?limit=200" + (cursor == null ? "" : "&cursor=" + cursor),
          TestStack.KEY_EPSILON);
      assertEquals(200, page.statusCode());
      assertTrue(page.body().length() < (4 << 20) + 1_000_000, "a page stays within 4 MiB and one job: "
          + page.body().length() + " bytes");
      JsonNode body = Http.json(page);
      assertTrue(body.get("items").size() >= 1);
      body.get("items").forEach(item -> assertTrue(listed.add(item.get("id").asText()), "listed once"));
      cursor = body.get("nextCursor").isNull() ? null : body.get("nextCursor").asText();
      pages++;
    } while (cursor != null);
    assertEquals(created, listed);
    assertTrue(pages >= 2, "seven jobs of 900 kB do not fit one page");
  }

  @Test
  void aReaderThatDoesNotReadGetsTheLatestStateNotEveryChange() throws Exception {
    IsolatedStack stack = IsolatedStack.create("bounded", Map.of());
    try (stack) {
      stack.startApi();
      stack.startWorker("bounded-1");
      String id = stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":8000,\"steps\":400,\"big\":\"" + BIG
          + "\"}}");
      try (Socket socket = new Socket()) {
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(stack.env().get("CONVEYOR_HTTP_PORT"))));
        OutputStream out = socket.getOutputStream();
        out.write(("GET /v1/jobs/" + id + "/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + IsolatedStack.KEY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        stack.awaitStatus(id, "succeeded", Duration.ofSeconds(60));
        socket.setSoTimeout(20_000);
        InputStream in = socket.getInputStream();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[65_536];
        String received = "";
        // Up to the last chunk of the stream; the connection itself stays open for the next request.
        while (!received.endsWith("\r\n0\r\n\r\n")) {
          int n = in.read(chunk);
          if (n < 0) {
            break;
          }
          bytes.write(chunk, 0, n);
          received = bytes.toString(StandardCharsets.UTF_8);
        }
        int events = received.split("event: job", -1).length - 1;
        assertTrue(received.contains("\"status\":\"succeeded\""), "the stream ends with the final state");
        assertTrue(events < 50, events + " events of 900 kB were kept for a reader that read nothing");
      }
    }
  }
}
