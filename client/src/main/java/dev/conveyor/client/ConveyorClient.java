package dev.conveyor.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A client of Conveyor's HTTP API (API.md) on {@code java.net.http}. Every call returns a {@link CompletableFuture}
 * and blocks no thread. Answers of 429 and 503, and connections that fail, are retried after the answer's
 * Retry-After (else a backoff from {@link #FIRST_BACKOFF}), at most {@code maxRetries} times; submits and retries
 * carry an Idempotency-Key (made here unless the request names one), so a retried submit never makes a second job.
 * Other 4xx and 5xx answers fail the future with a {@link ProblemException}. Thread-safe; share one per application.
 */
public final class ConveyorClient {
  static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  private static final int MAX_IDS = 100;
  private static final long DEFAULT_HINT_MS = 1_000;
  private static final int MAX_WAIT_SECONDS = 30;

  private final String base;
  private final String authorization;
  private final HttpClient http;
  private final int maxRetries;
  private final Duration requestTimeout;
  private final Duration maxRetryWait;

  private ConveyorClient(Builder builder) {
    this.base = builder.baseUrl.endsWith("/") ? builder.baseUrl.substring(0, builder.baseUrl.length() - 1)
        : builder.baseUrl;
    this.authorization = "Bearer " + builder.apiKey;
    this.http = builder.http != null ? builder.http : HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5)).build();
    this.maxRetries = builder.maxRetries;
    this.requestTimeout = builder.requestTimeout;
    this.maxRetryWait = builder.maxRetryWait;
  }

  /** @param baseUrl where the API listens, for example {@code http://127.0.0.1:8080} */
  public static Builder builder(String baseUrl, String apiKey) {
    return new Builder(baseUrl, apiKey);
  }

  public static final class Builder {
    private final String baseUrl;
    private final String apiKey;
    private HttpClient http;
    private int maxRetries = 5;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration maxRetryWait = Duration.ofSeconds(60);

    private Builder(String baseUrl, String apiKey) {
      this.baseUrl = baseUrl;
      this.apiKey = apiKey;
    }

    public Builder httpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    /** Retries of a request answered 429 or 503, or whose connection failed; 5 by default. */
    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    /** How long one request may wait for its answer (a long poll gets its wait on top); 30 s by default. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** The longest wait before a retry, whatever Retry-After says; 60 s by default. */
    public Builder maxRetryWait(Duration maxRetryWait) {
      this.maxRetryWait = maxRetryWait;
      return this;
    }

    public ConveyorClient build() {
      return new ConveyorClient(this);
    }
  }

  /** {@code POST /v1/jobs}: the job as accepted (202). */
  public CompletableFuture<Job> submit(JobRequest request) {
    return send(post("/v1/jobs", request.toJson(), keyOf(request.idempotencyKey())))
        .thenApply(ConveyorClient::job);
  }

  /** {@code POST /v1/jobs/batch}: 1 to 1,000 jobs, all or none; the jobs in the order given. */
  public CompletableFuture<List<Job>> submitBatch(List<JobRequest> requests) {
    ObjectNode body = Codec.MAPPER.createObjectNode();
    ArrayNode jobs = body.putArray("jobs");
    requests.forEach(r -> jobs.add(r.toJson()));
    return send(post("/v1/jobs/batch", body, keyOf(null))).thenApply(response -> items(response.body()));
  }

  /** {@code GET /v1/jobs/{id}}. */
  public CompletableFuture<Job> get(String id) {
    return send(request("/v1/jobs/" + id, requestTimeout).GET().build())
        .thenApply(ConveyorClient::job);
  }

  /** {@code POST /v1/jobs/{id}/cancel}: cancelled if it was queued, {@code cancelRequested} if running. */
  public CompletableFuture<Job> cancel(String id) {
    return send(request("/v1/jobs/" + id + "/cancel", requestTimeout)
        .POST(HttpRequest.BodyPublishers.noBody()).build())
        .thenApply(ConveyorClient::job);
  }

  /** {@code POST /v1/jobs/{id}/retry}: a failed or cancelled job queued again. */
  public CompletableFuture<Job> retry(String id) {
    return send(request("/v1/jobs/" + id + "/retry", requestTimeout).header("Idempotency-Key", keyOf(null))
        .POST(HttpRequest.BodyPublishers.noBody()).build())
        .thenApply(ConveyorClient::job);
  }

  /**
   * The job once terminal, learnt as {@code mode} says. Fails with a {@link java.util.concurrent.TimeoutException}
   * after {@code timeout}; cancelling the future stops the requests it would still make.
   */
  public CompletableFuture<Job> await(String id, AwaitMode mode, Duration timeout) {
    CompletableFuture<Job> result = new CompletableFuture<Job>().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    long deadline = System.nanoTime() + timeout.toNanos();
    switch (mode) {
      case HINTS -> followHints(id, result);
      case LONG_POLL -> longPoll(id, deadline, result);
      case EVENTS -> new EventStreamReader(this, id, result).open();
    }
    return result;
  }

  /**
   * Every job once terminal, in the order given: polls with {@code ?ids=} (100 ids a request, {@code fields=status}
   * so the answers stay small) as the smallest hint says, then reads each job whole once. Fails with a
   * {@link ProblemException.NotFound} if an id names none of the caller's jobs.
   */
  public CompletableFuture<List<Job>> awaitAll(Collection<String> ids, Duration timeout) {
    List<String> order = List.copyOf(new LinkedHashSet<>(ids));
    CompletableFuture<List<Job>> result = new CompletableFuture<List<Job>>()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    pollAll(order, new LinkedHashSet<>(order), result);
    return result;
  }

  private void followHints(String id, CompletableFuture<Job> result) {
    if (result.isDone()) {
      return;
    }
    send(request("/v1/jobs/" + id, requestTimeout).GET().build()).whenComplete((response, error) -> {
      if (error != null) {
        result.completeExceptionally(unwrap(error));
        return;
      }
      Job job = job(response);
      if (job.terminal()) {
        result.complete(job);
      } else {
        later(hintMs(response), () -> followHints(id, result));
      }
    });
  }

  private void longPoll(String id, long deadline, CompletableFuture<Job> result) {
    if (result.isDone()) {
      return;
    }
    long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()) + 1;
    int wait = (int) Math.max(1, Math.min(MAX_WAIT_SECONDS, left));
    send(request("/v1/jobs/" + id + "?wait=" + wait, requestTimeout.plusSeconds(wait)).GET().build())
        .whenComplete((response, error) -> {
          if (error != null) {
            result.completeExceptionally(unwrap(error));
            return;
          }
          Job job = job(response);
          if (job.terminal()) {
            result.complete(job);
          } else {
            longPoll(id, deadline, result);
          }
        });
  }

  private void pollAll(List<String> order, Set<String> pending, CompletableFuture<List<Job>> result) {
    if (result.isDone()) {
      return;
    }
    if (pending.isEmpty()) {
      readAll(order).whenComplete((jobs, error) -> {
        if (error != null) {
          result.completeExceptionally(unwrap(error));
        } else {
          result.complete(jobs);
        }
      });
      return;
    }
    List<CompletableFuture<HttpResponse<String>>> rounds = new ArrayList<>();
    for (List<String> chunk : chunks(List.copyOf(pending))) {
      rounds.add(send(request("/v1/jobs?ids=" + String.join(",", chunk) + "&fields=status", requestTimeout)
          .GET().build()));
    }
    CompletableFuture.allOf(rounds.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
      if (error != null) {
        result.completeExceptionally(unwrap(error));
        return;
      }
      long hint = Long.MAX_VALUE;
      for (CompletableFuture<HttpResponse<String>> round : rounds) {
        HttpResponse<String> response = round.join();
        JsonNode body = Codec.parse(response.body());
        if (!body.path("missing").isEmpty()) {
          result.completeExceptionally(missing(body.path("missing")));
          return;
        }
        body.path("items").forEach(item -> {
          if (Job.from(item).terminal()) {
            pending.remove(item.path("id").asText());
          }
        });
        hint = Math.min(hint, hintMs(response));
      }
      if (pending.isEmpty()) {
        pollAll(order, pending, result);
      } else {
        later(hint, () -> pollAll(order, pending, result));
      }
    });
  }

  /** The jobs whole, 100 a request; one by one where a hundred hold more than one answer carries. */
  private CompletableFuture<List<Job>> readAll(List<String> order) {
    List<CompletableFuture<List<Job>>> reads = new ArrayList<>();
    for (List<String> chunk : chunks(order)) {
      reads.add(send(request("/v1/jobs?ids=" + String.join(",", chunk), requestTimeout).GET().build())
          .thenApply(response -> items(response.body()))
          .exceptionallyCompose(error -> unwrap(error) instanceof ProblemException.Unprocessable
              ? one(chunk) : CompletableFuture.failedFuture(unwrap(error))));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<String, Job> byId = new HashMap<>();
      reads.forEach(read -> read.join().forEach(job -> byId.put(job.id(), job)));
      return order.stream().map(byId::get).toList();
    });
  }

  private CompletableFuture<List<Job>> one(List<String> ids) {
    List<CompletableFuture<Job>> reads = ids.stream().map(this::get).toList();
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> reads.stream().map(CompletableFuture::join).toList());
  }

  /** Sends, retrying 429, 503 and failed connections; a 4xx or 5xx answer left fails with a ProblemException. */
  CompletableFuture<HttpResponse<String>> send(HttpRequest request) {
    CompletableFuture<HttpResponse<String>> result = new CompletableFuture<>();
    attempt(request, 0, result);
    return result;
  }

  private void attempt(HttpRequest request, int retry, CompletableFuture<HttpResponse<String>> result) {
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .whenComplete((response, error) -> {
          if (error != null) {
            Throwable cause = unwrap(error);
            if (cause instanceof IOException && retry < maxRetries) {
              later(backoffMs(retry), () -> attempt(request, retry + 1, result));
            } else {
              result.completeExceptionally(cause);
            }
            return;
          }
          int status = response.statusCode();
          if (status < 400) {
            result.complete(response);
            return;
          }
          Duration retryAfter = Retries.retryAfter(response.headers().firstValue("Retry-After").orElse(null));
          if ((status == 429 || status == 503) && retry < maxRetries) {
            long ms = retryAfter != null ? retryAfter.toMillis() : backoffMs(retry);
            later(Math.min(ms, maxRetryWait.toMillis()), () -> attempt(request, retry + 1, result));
            return;
          }
          result.completeExceptionally(problem(response, retryAfter));
        });
  }

  HttpRequest.Builder request(String path, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Authorization", authorization);
  }

  <T> CompletableFuture<HttpResponse<T>> httpClientSend(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return http.sendAsync(request, handler);
  }

  Duration requestTimeout() {
    return requestTimeout;
  }

  int maxRetries() {
    return maxRetries;
  }

  private HttpRequest post(String path, JsonNode body, String idempotencyKey) {
    return request(path, requestTimeout).header("Content-Type", "application/json")
        .header("Idempotency-Key", idempotencyKey)
        .POST(HttpRequest.BodyPublishers.ofString(Codec.write(body), StandardCharsets.UTF_8)).build();
  }

  static ProblemException problem(HttpResponse<String> response, Duration retryAfter) {
    JsonNode body;
    try {
      body = Codec.parse(response.body());
    } catch (IllegalStateException notJson) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      body = Codec.MAPPER.createObjectNode().put("status", response.statusCode())
          .put("title", "HTTP " + response.statusCode()).put("detail", "The answer carried no problem details.");
    }
    return ProblemException.of(response.statusCode(), body, retryAfter);
  }

  private static ProblemException missing(JsonNode ids) {
    return ProblemException.of(404, Codec.MAPPER.createObjectNode().put("type", "/problems/not-found")
        .put("title", "Not found").put("status", 404).put("detail", "No such jobs: " + ids), null);
  }

  private static Job job(HttpResponse<String> response) {
    return Job.from(Codec.parse(response.body()));
  }

  private static List<Job> items(String body) {
    List<Job> jobs = new ArrayList<>();
    Codec.parse(body).path("items").forEach(item -> jobs.add(Job.from(item)));
    return jobs;
  }

  private static List<List<String>> chunks(List<String> ids) {
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += MAX_IDS) {
      chunks.add(ids.subList(i, Math.min(ids.size(), i + MAX_IDS)));
    }
    return chunks;
  }

  /** Poll-After-Ms, else Retry-After, else a second. */
  static long hintMs(HttpResponse<?> response) {
    return response.headers().firstValue("Poll-After-Ms").map(Long::parseLong)
        .or(() -> Optional.ofNullable(Retries.retryAfter(response.headers().firstValue("Retry-After").orElse(null)))
            .map(Duration::toMillis))
        .orElse(DEFAULT_HINT_MS);
  }

  static long backoffMs(int retry) {
    return FIRST_BACKOFF.toMillis() << Math.min(retry, 8);
  }

  static void later(long ms, Runnable task) {
    CompletableFuture.delayedExecutor(Math.max(0, ms), TimeUnit.MILLISECONDS).execute(task);
  }

  static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static String keyOf(String given) {
    return given != null ? given : UUID.randomUUID().toString();
  }
}
