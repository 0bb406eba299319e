package dev.conveyor.client;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * Follows {@code GET /v1/jobs/{id}/events} until an event shows the job terminal. The lines arrive through a
 * subscriber, so no thread waits on the stream. A stream that ends or breaks first is opened again with
 * {@code Last-Event-ID}; the future's end (done, timed out or cancelled) cancels the subscription.
 */
final class EventStreamReader {
  private final ConveyorClient client;
  private final String id;
  private final CompletableFuture<Job> result;
  private volatile String lastEventId;
  private int failures;

  EventStreamReader(ConveyorClient client, String id, CompletableFuture<Job> result) {
    this.client = client;
    this.id = id;
    this.result = result;
  }

  void open() {
    if (result.isDone()) {
      return;
    }
    HttpRequest.Builder request = client.request("/v1/jobs/" + id + "/events", client.requestTimeout())
        .header("Accept", "text/event-stream").GET();
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    Lines lines = new Lines();
    result.whenComplete((job, error) -> lines.cancel());
    HttpResponse.BodyHandler<String> handler = info -> info.statusCode() == 200
        ? HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.fromLineSubscriber(lines), v -> "")
        : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
    client.httpClientSend(request.build(), handler).whenComplete((response, error) -> {
      if (result.isDone()) {
        return;
      }
      if (error == null && response.statusCode() == 200) {
        failures = 0;
        // The stream ended before a terminal event (the server stopping, say): open it again.
        ConveyorClient.later(ConveyorClient.FIRST_BACKOFF.toMillis(), this::open);
      } else if (error == null && response.statusCode() != 429 && response.statusCode() != 503) {
        result.completeExceptionally(ConveyorClient.problem(response,
            Retries.retryAfter(response.headers().firstValue("Retry-After").orElse(null))));
      } else if (failures++ < client.maxRetries()) {
        Duration retryAfter = error == null
            ? Retries.retryAfter(response.headers().firstValue("Retry-After").orElse(null)) : null;
        ConveyorClient.later(retryAfter != null ? retryAfter.toMillis() : ConveyorClient.backoffMs(failures),
            this::open);
      } else {
        result.completeExceptionally(error != null ? ConveyorClient.unwrap(error)
            : ConveyorClient.problem(response, null));
      }
    });
  }

  /** Server-sent events, line by line: {@code id:} and {@code data:} lines, then an empty line ends the event. */
  private final class Lines implements Flow.Subscriber<String> {
    private final StringBuilder data = new StringBuilder();
    private String eventId;
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (cancelled) {
        subscription.cancel();
      } else {
        subscription.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(String line) {
      if (line.isEmpty()) {
        dispatch();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
      } else if (line.startsWith("id:")) {
        eventId = line.substring(3).trim();
      }
    }

    private void dispatch() {
      if (data.length() == 0) {
        return;
      }
      Job job = Job.from(Codec.parse(data.toString()));
      data.setLength(0);
      if (eventId != null) {
        lastEventId = eventId;
      }
      if (job.terminal()) {
        result.complete(job);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      // the send's future fails too, and decides
    }

    @Override
    public void onComplete() {
      dispatch();
    }

    void cancel() {
      cancelled = true;
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }
}
