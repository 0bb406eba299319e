package dev.conveyor.it;

import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_THROTTLED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.client.AwaitMode;
import dev.conveyor.client.ConveyorClient;
import dev.conveyor.client.Job;
import dev.conveyor.client.JobRequest;
import dev.conveyor.client.ProblemException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Java client ({@code client/}) against the real stack: every call, each way to await, and its errors. */
@ExtendWith(TestStack.class)
class ClientIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final ConveyorClient client = ConveyorClient.builder(TestStack.baseUrl(), KEY_ALPHA).build();

  private static Throwable failure(CompletableFuture<?> future) {
    CompletionException e = assertThrows(CompletionException.class, future::join);
    return e.getCause();
  }

  @Test
  void awaitsAJobByHintsByLongPollAndByEvents() {
    for (AwaitMode mode : AwaitMode.values()) {
      Job submitted = client.submit(JobRequest.of("sleep", Map.of("ms", 600, "steps", 3))).join();
      assertEquals("queued", submitted.status());
      Job done = client.await(submitted.id(), mode, WAIT).join();
      assertEquals("succeeded", done.status(), mode.name());
      assertEquals(600, done.result().get("sleptMs").asInt(), mode.name());
      assertEquals(100, done.progress().percent(), mode.name());
      assertTrue(done.finishedAt() != null && !done.finishedAt().isBefore(done.startedAt()), mode.name());
    }
  }

  @Test
  void submitsABatchAndAwaitsAllOfItInOrder() {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      requests.add(JobRequest.of("noop", Map.of("i", i)));
    }
    requests.add(JobRequest.of("sleep", Map.of("ms", 300, "steps", 1)).withPriority("high"));
    List<Job> accepted = client.submitBatch(requests).join();
    assertEquals(121, accepted.size());
    List<String> ids = accepted.stream().map(Job::id).toList();
    List<Job> done = client.awaitAll(ids, WAIT).join();
    assertEquals(ids, done.stream().map(Job::id).toList(), "in the order given, more than 100 of them");
    done.forEach(job -> assertEquals("succeeded", job.status()));
    assertEquals(7, done.get(7).result().get("i").asInt(), "read whole at the end");
    assertEquals("high", done.get(120).priority());

    Throwable unknown = failure(client.awaitAll(List.of(ids.get(0), "01900000-0000-7000-8000-000000000000"), WAIT));
    assertInstanceOf(ProblemException.NotFound.class, unknown);
  }

  @Test
  void makesOneJobPerIdempotencyKeyAndRetriesAFailedJob() {
    String key = "client-it-" + Instant.now().toEpochMilli();
    JobRequest request = JobRequest.of("fail", Map.of("times", 5)).withMaxAttempts(1).withIdempotencyKey(key);
    Job first = client.submit(request).join();
    assertEquals(first.id(), client.submit(request).join().id(), "the same key, the same job");
    assertNotEquals(first.id(), client.submit(request.withIdempotencyKey(null)).join().id(), "a key of its own");

    Job failed = client.await(first.id(), AwaitMode.LONG_POLL, WAIT).join();
    assertEquals("failed", failed.status());
    assertEquals("injected", failed.error().code());
    Job again = client.retry(first.id()).join();
    assertEquals("queued", again.status());
    assertEquals(2, again.maxAttempts());
    assertEquals("failed", client.await(first.id(), AwaitMode.HINTS, WAIT).join().status());
  }

  @Test
  void failsWithTypedProblems() {
    ProblemException notFound = (ProblemException) failure(client.get("01900000-0000-7000-8000-000000000000"));
    assertInstanceOf(ProblemException.NotFound.class, notFound);
    assertEquals("/problems/not-found", notFound.type());

    ProblemException unknownType = (ProblemException) failure(client.submit(JobRequest.of("no-such-type")));
    assertInstanceOf(ProblemException.Unprocessable.class, unknownType);
    assertEquals("/problems/unknown-type", unknownType.type());

    ProblemException invalid = (ProblemException) failure(client.submit(JobRequest.of("noop").withMaxAttempts(99)));
    assertInstanceOf(ProblemException.BadRequest.class, invalid);
    assertEquals(400, invalid.status());
    assertTrue(invalid.detail().contains("maxAttempts"), invalid.detail());
    assertTrue(invalid.body().get("errors").isArray());

    Job done = client.await(client.submit(JobRequest.of("noop")).join().id(), AwaitMode.LONG_POLL, WAIT).join();
    assertInstanceOf(ProblemException.Conflict.class, failure(client.cancel(done.id())));
    assertInstanceOf(ProblemException.Conflict.class, failure(client.retry(done.id())));

    ConveyorClient stranger = ConveyorClient.builder(TestStack.baseUrl(), "no-such-key").build();
    assertInstanceOf(ProblemException.Unauthorized.class, failure(stranger.get(done.id())));
  }

  @Test
  void awaitingTimesOutAndCanBeCancelled() {
    Job later = client.submit(JobRequest.of("noop").withRunAt(Instant.now().plusSeconds(3600))).join();
    for (AwaitMode mode : AwaitMode.values()) {
      assertInstanceOf(TimeoutException.class, failure(client.await(later.id(), mode, Duration.ofMillis(1500))),
          mode.name());
      CompletableFuture<Job> awaiting = client.await(later.id(), mode, WAIT);
      assertTrue(awaiting.cancel(true));
      assertTrue(awaiting.isCancelled());
    }
    assertEquals("cancelled", client.cancel(later.id()).join().status(), "a queued job is cancelled at once");
  }

  @Test
  void retries429sAfterTheirRetryAfterAndGivesUpWhenToldTo() {
    // Tenant "throttled": 3 requests at once, then 1 a second. Ten submits at once all get through, the last ones
    // after waiting out the Retry-After of their 429s.
    ConveyorClient patient = ConveyorClient.builder(TestStack.baseUrl(), KEY_THROTTLED).maxRetries(20).build();
    long started = System.nanoTime();
    List<CompletableFuture<Job>> submits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      submits.add(patient.submit(JobRequest.of("noop")));
    }
    submits.forEach(f -> assertEquals("queued", f.join().status()));
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 4_000,
        "seven of them waited about a second each");

    ConveyorClient impatient = ConveyorClient.builder(TestStack.baseUrl(), KEY_THROTTLED).maxRetries(0).build();
    List<CompletableFuture<Job>> burst = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      burst.add(impatient.submit(JobRequest.of("noop")));
    }
    List<ProblemException> refused = new ArrayList<>();
    for (CompletableFuture<Job> f : burst) {
      f.handle((job, error) -> error).join();
      if (f.isCompletedExceptionally()) {
        refused.add((ProblemException) failure(f));
      }
    }
    assertTrue(!refused.isEmpty(), "a burst over the limit is refused without retries");
    for (ProblemException e : refused) {
      assertInstanceOf(ProblemException.TooManyRequests.class, e);
      assertTrue(e.retryAfter().orElseThrow().toSeconds() >= 1, "says when to retry");
    }
  }
}
