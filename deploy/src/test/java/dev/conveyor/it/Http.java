package dev.conveyor.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/** A plain HTTP client for tests: what any client of the API would send. */
public final class Http {
  public static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static final ObjectMapper CLIENT_MAPPER = new ObjectMapper();

  private Http() {
  }

  public static HttpResponse<String> submit(String key, String json) {
    return send(request("/v1/jobs", key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public static HttpResponse<String> get(String path, String key) {
    return send(request(path, key).GET());
  }

  public static HttpRequest.Builder request(String path, String key) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(TestStack.baseUrl() + path))
        .timeout(Duration.ofSeconds(30));
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return builder;
  }

  public static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A streamed answer, read line by line (for server-sent events). */
  public static HttpResponse<java.util.stream.Stream<String>> lines(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Parses an answer as an ordinary client would: answers may nest deeper than the 64 levels requests may. */
  public static JsonNode json(HttpResponse<String> response) {
    try {
      return CLIENT_MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  /** Submits and returns the new job's id, failing the test unless the answer is 202. */
  public static String submitted(String key, String json) {
    HttpResponse<String> response = submit(key, json);
    if (response.statusCode() != 202) {
      throw new AssertionError("expected 202, got " + response.statusCode() + ": " + response.body());
    }
    return json(response).get("id").asText();
  }

  /** Polls the job until the condition holds, or fails after the timeout with the last representation. */
  public static JsonNode awaitJob(String key, String id, Predicate<JsonNode> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = get("/v1/jobs/" + id, key);
      if (response.statusCode() != 200) {
        throw new AssertionError("GET job answered " + response.statusCode() + ": " + response.body());
      }
      last = json(response);
      if (condition.test(last)) {
        return last;
      }
      pause(50);
    }
    throw new AssertionError("job " + id + " did not reach the expected state in " + timeout + "; last: " + last);
  }

  public static JsonNode awaitTerminal(String key, String id) {
    return awaitJob(key, id, Http::terminal, Duration.ofSeconds(60));
  }

  public static boolean terminal(JsonNode job) {
    return job.get("status").asText().matches("succeeded|failed|cancelled");
  }

  /** Asks again until the answer satisfies the condition; fails after 20 s with the last answer. */
  public static <T> T eventually(java.util.function.Supplier<T> ask, Predicate<T> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    T last = ask.get();
    while (!condition.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s; last: " + last);
      }
      pause(50);
      last = ask.get();
    }
    return last;
  }

  public static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
