package dev.conveyor.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that awaits one job the way a user of the API might, counting what it costs: GETs and bytes received.
 * Written from API.md alone; it shares nothing with the server or the Java client.
 */
final class Poller {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration GIVE_UP = Duration.ofMinutes(3);

  /** How a client waits. */
  enum Strategy {
    FIXED_500("fixed 500 ms", "fixed"),
    EXPONENTIAL("exponential 100 ms → 5 s", "exponential"),
    HINTS("follows Poll-After-Ms", "hints"),
    LONG_POLL("long poll (wait=30)", "long-poll"),
    EVENTS("server-sent events", "events");

    final String label;
    /** Its name in the benchmark's {@code --clients}. */
    final String option;

    Strategy(String label, String option) {
      this.label = label;
      this.option = option;
    }
  }

  /** What awaiting one job cost, and when its end was seen (this machine's clock, as the server's). */
  record Seen(String id, long gets, long bytes, Instant sawAt, Instant finishedAt, long durationMs) {
    long delayMs() {
      return Duration.between(finishedAt, sawAt).toMillis();
    }
  }

  private final HttpClient http;
  private final String base;
  private final String authorization;

  Poller(HttpClient http, String base, String key) {
    this.http = http;
    this.base = base;
    this.authorization = "Bearer " + key;
  }

  /** Submits {@code body} and awaits the job with {@code strategy}; the submit is not counted. */
  CompletableFuture<Seen> run(String body, Strategy strategy) {
    HttpRequest submit = request("/v1/jobs").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.sendAsync(submit, HttpResponse.BodyHandlers.ofString()).thenCompose(accepted -> {
      if (accepted.statusCode() != 202) {
        throw new IllegalStateException("submit answered " + accepted.statusCode() + ": " + accepted.body());
      }
      String id = parse(accepted.body()).get("id").asText();
      Counter counter = new Counter(id, System.nanoTime() + GIVE_UP.toNanos());
      long first = switch (strategy) {
        case FIXED_500 -> 500;
        case EXPONENTIAL -> 100;
        case HINTS -> hintMs(accepted);
        case LONG_POLL, EVENTS -> 0;
      };
      CompletableFuture<Seen> seen = new CompletableFuture<>();
      later(first, () -> step(strategy, counter, 100, seen));
      return seen;
    });
  }

  /** Awaits many jobs with one {@code ?ids=} request a round, at the answer's hint; the GETs are shared. */
  CompletableFuture<Long> awaitMany(List<String> ids, AtomicLong bytes) {
    CompletableFuture<Long> gets = new CompletableFuture<>();
    roundMany(ids, new AtomicLong(), bytes, gets);
    return gets;
  }

  private void roundMany(List<String> ids, AtomicLong count, AtomicLong bytes, CompletableFuture<Long> gets) {
    HttpRequest get = request("/v1/jobs?ids=" + String.join(",", ids) + "&fields=status").GET().build();
    http.sendAsync(get, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
      if (error != null) {
        gets.completeExceptionally(error);
        return;
      }
      count.incrementAndGet();
      bytes.addAndGet(size(response));
      boolean allDone = true;
      for (JsonNode item : parse(response.body()).get("items")) {
        allDone &= terminal(item);
      }
      if (allDone) {
        gets.complete(count.get());
      } else {
        later(hintMs(response), () -> roundMany(ids, count, bytes, gets));
      }
    });
  }

  private void step(Strategy strategy, Counter counter, long backoff, CompletableFuture<Seen> seen) {
    if (System.nanoTime() > counter.deadline) {
      seen.completeExceptionally(new IllegalStateException("job " + counter.id + " not seen ending in " + GIVE_UP));
      return;
    }
    if (strategy == Strategy.EVENTS) {
      stream(counter, seen);
      return;
    }
    String path = "/v1/jobs/" + counter.id + (strategy == Strategy.LONG_POLL ? "?wait=30" : "");
    HttpRequest get = request(path).timeout(Duration.ofSeconds(60)).GET().build();
    http.sendAsync(get, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
      if (error != null) {
        seen.completeExceptionally(error);
        return;
      }
      counter.gets++;
      counter.bytes += size(response);
      JsonNode job = parse(response.body());
      if (terminal(job)) {
        seen.complete(counter.seen(job));
        return;
      }
      long next = switch (strategy) {
        case FIXED_500 -> 500;
        case EXPONENTIAL -> backoff;
        case HINTS -> hintMs(response);
        default -> 0;
      };
      later(next, () -> step(strategy, counter, Math.min(5_000, backoff * 2), seen));
    });
  }

  private void stream(Counter counter, CompletableFuture<Seen> seen) {
    counter.gets++;
    HttpRequest get = request("/v1/jobs/" + counter.id + "/events").GET().build();
    Flow.Subscriber<String> lines = new Flow.Subscriber<>() {
      private Flow.Subscription subscription;

      @Override
      public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(String line) {
        counter.bytes += line.length() + 1;
        if (line.startsWith("data: ")) {
          JsonNode job = parse(line.substring(6));
          if (terminal(job)) {
            seen.complete(counter.seen(job));
            subscription.cancel();
          }
        }
      }

      @Override
      public void onError(Throwable throwable) {
        seen.completeExceptionally(throwable);
      }

      @Override
      public void onComplete() {
        if (!seen.isDone()) {
          later(100, () -> stream(counter, seen));
        }
      }
    };
    http.sendAsync(get, HttpResponse.BodyHandlers.fromLineSubscriber(lines));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization);
  }

  /** The status line and headers as sent (about), and the body. */
  private static long size(HttpResponse<String> response) {
    long headers = 17;
    for (var header : response.headers().map().entrySet()) {
      for (String value : header.getValue()) {
        headers += header.getKey().length() + value.length() + 4;
      }
    }
    return headers + response.body().getBytes(StandardCharsets.UTF_8).length;
  }

  private static long hintMs(HttpResponse<String> response) {
    return response.headers().firstValue("Poll-After-Ms").map(Long::parseLong).orElse(1_000L);
  }

  private static boolean terminal(JsonNode job) {
    String status = job.get("status").asText();
    return status.equals("succeeded") || status.equals("failed") || status.equals("cancelled");
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + text, e);
    }
  }

  private static void later(long ms, Runnable task) {
    CompletableFuture.delayedExecutor(Math.max(0, ms), TimeUnit.MILLISECONDS).execute(task);
  }

  /** One job's costs so far; touched by one callback at a time. */
  private static final class Counter {
    final String id;
    final long deadline;
    long gets;
    long bytes;

    Counter(String id, long deadline) {
      this.id = id;
      this.deadline = deadline;
    }

    Seen seen(JsonNode job) {
      Instant saw = Instant.now();
      Instant started = Instant.parse(job.get("startedAt").asText());
      Instant finished = Instant.parse(job.get("finishedAt").asText());
      return new Seen(id, gets, bytes, saw, finished, Duration.between(started, finished).toMillis());
    }
  }
}
