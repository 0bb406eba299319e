package dev.conveyor.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The untimed requests the phases need around their load: filling the queue with batches, one job to read, and the
 * bodies of noop jobs. Each request is bounded in time.
 */
final class ConveyorClient implements AutoCloseable {
  static final String NOOP = "{\"type\":\"noop\",\"payload\":{}}";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 30;

  private final Context context;
  private final HttpClientAgent client;
  private final int port;
  private final String key;

  ConveyorClient(Vertx vertx, int port, String key) {
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true));
    this.port = port;
    this.key = key;
  }

  /** A batch submit body of {@code n} noop jobs. */
  static String batchOf(int n) {
    return "{\"jobs\":[" + String.join(",", Collections.nCopies(n, NOOP)) + "]}";
  }

  /** The answer to one request. */
  private record Answer(int status, String etag, JsonNode body) {
  }

  /** Submits {@code jobs} noop jobs in batches of {@code batch}, one batch at a time; the ids in order. */
  List<UUID> submitBatches(int jobs, int batch) throws IOException, TimeoutException {
    List<UUID> ids = new ArrayList<>(jobs);
    while (ids.size() < jobs) {
      Answer answer = send(HttpMethod.POST, "/v1/jobs/batch", batchOf(Math.min(batch, jobs - ids.size())), null);
      expect(answer, 202);
      answer.body().get("items").forEach(item -> ids.add(UUID.fromString(item.get("id").asText())));
    }
    return ids;
  }

  UUID submitOne() throws IOException, TimeoutException {
    Answer answer = send(HttpMethod.POST, "/v1/jobs", NOOP, null);
    expect(answer, 202);
    return UUID.fromString(answer.body().get("id").asText());
  }

  /** Polls the job until it has succeeded, and returns its ETag then. */
  String awaitSucceeded(UUID id, Duration limit) throws IOException, TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      Answer answer = send(HttpMethod.GET, "/v1/jobs/" + id, null, null);
      expect(answer, 200, 202);
      String status = answer.body().get("status").asText();
      if (status.equals("succeeded")) {
        return answer.etag();
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("job " + id + " still " + status + " after " + limit.toSeconds() + " s");
      }
      Thread.sleep(50);
    }
  }

  /** Asserts that a conditional GET with this ETag answers 304, as the measured phase expects. */
  void expectNotModified(UUID id, String etag) throws IOException, TimeoutException {
    expect(send(HttpMethod.GET, "/v1/jobs/" + id, null, etag), 304);
  }

  private Answer send(HttpMethod method, String path, String body, String ifNoneMatch)
      throws IOException, TimeoutException {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path)
        .putHeader("Authorization", "Bearer " + key).setIdleTimeout(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    if (ifNoneMatch != null) {
      options.putHeader("If-None-Match", ifNoneMatch);
    }
    // On one event loop, that of the client's connections (see OpenLoopLoad).
    Promise<Answer> answer = Promise.promise();
    context.runOnContext(v -> client.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(bytes -> new Answer(response.statusCode(),
            response.getHeader("ETag"), bytes.length() == 0 ? null : parse(bytes))))
        .onComplete(answer));
    return answer.future().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static JsonNode parse(Buffer bytes) {
    try {
      return JSON.readTree(bytes.getBytes());
    } catch (IOException e) {
      throw new IllegalStateException("the API answered a body that is not JSON: " + bytes, e);
    }
  }

  private static void expect(Answer answer, int... statuses) throws IOException {
    for (int status : statuses) {
      if (answer.status() == status) {
        return;
      }
    }
    throw new IOException("the API answered " + answer.status() + ": " + answer.body());
  }

  @Override
  public void close() throws TimeoutException {
    client.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
