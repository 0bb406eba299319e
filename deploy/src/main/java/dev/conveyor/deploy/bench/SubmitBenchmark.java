package dev.conveyor.deploy.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load against a running Conveyor: submits {@code --jobs} jobs with {@code --concurrency} requests in flight
 * (single submits, or batches of {@code --batch}), then waits until none of the tenant's jobs is queued or running.
 * Prints submit throughput and latency percentiles, and end-to-end throughput. Bounded in count and time; it only
 * talks to the URL given (default http://127.0.0.1:8080).
 */
public final class SubmitBenchmark {
  private static final Pattern COUNT = Pattern.compile("\"queued\":(\\d+),\"running\":(\\d+)");

  private SubmitBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    String url = option(args, "--url", "http://127.0.0.1:8080");
    int jobs = Integer.parseInt(option(args, "--jobs", "20000"));
    int concurrency = Integer.parseInt(option(args, "--concurrency", "64"));
    int batch = Integer.parseInt(option(args, "--batch", "1"));
    String type = option(args, "--type", "noop");
    String payload = option(args, "--payload", "{}");
    String key = option(args, "--key", System.getenv().getOrDefault("CONVEYOR_BENCH_KEY", localKey()));

    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    String one = "{\"type\":\"" + type + "\",\"payload\":" + payload + "}";
    String body = batch == 1 ? one : "{\"jobs\":[" + String.join(",", java.util.Collections.nCopies(batch, one)) + "]}";
    URI submit = URI.create(url + (batch == 1 ? "/v1/jobs" : "/v1/jobs/batch"));
    int requests = (jobs + batch - 1) / batch;

    warmUp(client, submit, key, body, batch);
    // The warm-up's jobs must not count against the timed run's drain.
    awaitDrained(client, url, key, Duration.ofMinutes(10));
    long[] latenciesNs = new long[requests];
    AtomicInteger failures = new AtomicInteger();
    Semaphore inFlight = new Semaphore(concurrency);
    long start = System.nanoTime();
    CompletableFuture<?>[] all = new CompletableFuture<?>[requests];
    for (int i = 0; i < requests; i++) {
      inFlight.acquire();
      int index = i;
      long sent = System.nanoTime();
      all[i] = client.sendAsync(request(submit, key, body), HttpResponse.BodyHandlers.discarding())
          .whenComplete((response, error) -> {
            latenciesNs[index] = System.nanoTime() - sent;
            if (error != null || response.statusCode() != 202) {
              failures.incrementAndGet();
            }
            inFlight.release();
          });
    }
    CompletableFuture.allOf(all).exceptionally(e -> null).join();
    double submitSeconds = (System.nanoTime() - start) / 1e9;
    long drained = awaitDrained(client, url, key, Duration.ofMinutes(10));
    double totalSeconds = (drained - start) / 1e9;

    Arrays.sort(latenciesNs);
    System.out.printf("jobs %d (%d requests of %d, %d in flight), type %s, failures %d%n",
        jobs, requests, batch, concurrency, type, failures.get());
    System.out.printf("submit: %.0f jobs/s over %.2f s; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        jobs / submitSeconds, submitSeconds, ms(latenciesNs, 0.50), ms(latenciesNs, 0.95), ms(latenciesNs, 0.99),
        latenciesNs[latenciesNs.length - 1] / 1e6);
    System.out.printf("end to end: all %d jobs finished after %.2f s: %.0f jobs/s%n", jobs, totalSeconds,
        jobs / totalSeconds);
  }

  /** About 2,000 jobs (at least 20 requests), enough for the JIT and the pools. */
  private static void warmUp(HttpClient client, URI submit, String key, String body, int batch) throws Exception {
    for (int i = 0; i < Math.max(20, 2_000 / batch); i++) {
      HttpResponse<String> response = client.send(request(submit, key, body), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 202) {
        throw new IllegalStateException("warm-up submit answered " + response.statusCode() + ": " + response.body());
      }
    }
  }

  private static HttpRequest request(URI uri, String key, String body) {
    return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  /** Polls the job-types counts until the tenant has nothing queued or running; returns that moment (nanoTime). */
  private static long awaitDrained(HttpClient client, String url, String key, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    HttpRequest types = HttpRequest.newBuilder(URI.create(url + "/v1/job-types"))
        .header("Authorization", "Bearer " + key).GET().build();
    while (System.nanoTime() < deadline) {
      String body = client.send(types, HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = COUNT.matcher(body);
      long active = 0;
      while (m.find()) {
        active += Long.parseLong(m.group(1)) + Long.parseLong(m.group(2));
      }
      if (active == 0) {
        return System.nanoTime();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("jobs still active after " + limit);
  }

  private static double ms(long[] sortedNs, double quantile) {
    return sortedNs[(int) Math.min(sortedNs.length - 1, Math.floor(quantile * sortedNs.length))] / 1e6;
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  private static String localKey() {
    try {
      return Files.readString(Path.of(".conveyor", "local-api-key")).trim();
    } catch (IOException e) {
      return "";
    }
  }
}
