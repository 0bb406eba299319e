package dev.conveyor.it;

import static dev.conveyor.it.Http.get;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.Config;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.jobs.Json;
import dev.conveyor.trace.TraceContext;
import dev.conveyor.worker.WorkerApplication;
import dev.conveyor.worker.run.HandlerRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * W3C trace context from the submit through the job's row and Kafka record to the handler: a worker of its own runs
 * {@code trace.echo}, whose handler answers with the {@code traceparent} its context gave it.
 */
@ExtendWith(TestStack.class)
class TraceIT {
  private static final String TYPE = "trace.echo";
  private static final String GIVEN = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static WorkerApplication echo;

  /** Answers with the trace context of its run. */
  static final class EchoHandler implements JobHandler {
    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public JsonNode run(JobContext context) {
      return Json.object().put("traceparent", context.traceparent());
    }
  }

  @BeforeAll
  static void startEchoWorker() {
    Map<String, String> env = new HashMap<>(TestStack.env());
    env.put("CONVEYOR_WORKER_ID", "trace-echo");
    echo = TestStack.await(WorkerApplication.start(TestStack.vertx(), Config.from(env),
        new HandlerRegistry(List.of(new EchoHandler()))));
  }

  @AfterAll
  static void stopEchoWorker() {
    if (echo != null) {
      TestStack.await(echo.stop());
    }
  }

  private static HttpResponse<String> submit(String path, String body, String traceparent) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      HttpRequest.Builder request = Http.request(path, KEY_ALPHA).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body));
      if (traceparent != null) {
        request.header("traceparent", traceparent);
      }
      HttpResponse<String> answer = Http.send(request);
      // The API learns of the echo worker's type a moment after it starts.
      if (answer.statusCode() != 422 || System.nanoTime() > deadline) {
        return answer;
      }
      Thread.sleep(200);
    }
  }

  private static String submitEcho(String traceparent) throws Exception {
    HttpResponse<String> answer = submit("/v1/jobs", "{\"type\":\"" + TYPE + "\",\"payload\":{}}", traceparent);
    assertEquals(202, answer.statusCode(), answer.body());
    return json(answer).get("id").asText();
  }

  /** The trace context the handler was given. */
  private static TraceContext handlerTrace(String id) {
    JsonNode job = json(get("/v1/jobs/" + id + "?wait=20", KEY_ALPHA));
    assertEquals("succeeded", job.get("status").asText(), job.toString());
    return TraceContext.parse(job.get("result").get("traceparent").asText()).orElseThrow();
  }

  private static TraceContext stored(String id) {
    return TraceContext.parse(TestStack.sql("SELECT traceparent FROM jobs WHERE id = $1::uuid", id)
        .iterator().next().getString(0)).orElseThrow();
  }

  @Test
  void aSubmitsTraceReachesTheHandlerThroughTheRowAndTheRecord() throws Exception {
    TraceContext given = TraceContext.parse(GIVEN).orElseThrow();
    String id = submitEcho(GIVEN);
    TraceContext handler = handlerTrace(id);
    TraceContext api = stored(id);
    TraceContext record = recordTrace(id);
    for (TraceContext hop : List.of(api, record, handler)) {
      assertEquals(given.traceId(), hop.traceId(), "the same trace at every hop: " + hop.header());
    }
    assertEquals(4, List.of(given.parentId(), api.parentId(), record.parentId(), handler.parentId()).stream()
        .distinct().count(), "each hop a span of its own: the caller's, the API's, the record's, the handler's");
  }

  @Test
  void withoutAValidHeaderTheApiStartsATrace() throws Exception {
    String none = submitEcho(null);
    String bad = submitEcho("00-not-a-trace");
    TraceContext first = handlerTrace(none);
    TraceContext second = handlerTrace(bad);
    assertEquals(first.traceId(), stored(none).traceId());
    assertEquals(second.traceId(), stored(bad).traceId());
    assertNotEquals(first.traceId(), second.traceId(), "a trace of its own each");
    assertNotEquals(TraceContext.parse(GIVEN).orElseThrow().traceId(), first.traceId());
  }

  @Test
  void aBatchsJobsShareItsTrace() throws Exception {
    String item = "{\"type\":\"" + TYPE + "\",\"payload\":{}}";
    HttpResponse<String> answer = submit("/v1/jobs/batch", "{\"jobs\":[" + item + "," + item + "]}", GIVEN);
    assertEquals(202, answer.statusCode(), answer.body());
    List<String> ids = new ArrayList<>();
    json(answer).get("items").forEach(job -> ids.add(job.get("id").asText()));
    assertEquals(2, ids.size(), answer.body());
    for (String id : ids) {
      assertEquals(TraceContext.parse(GIVEN).orElseThrow().traceId(), handlerTrace(id).traceId());
    }
  }

  /** The trace header of the job's record. */
  private static TraceContext recordTrace(String id) {
    Header header = JobRecords.of(TYPE, id, 1).get(0).headers().lastHeader("traceparent");
    assertTrue(header != null, "the record carries the trace");
    return TraceContext.parse(new String(header.value(), StandardCharsets.US_ASCII)).orElseThrow();
  }
}
