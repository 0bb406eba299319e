package dev.conveyor.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobJsonTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:15:30.123Z");

  private static Job job(JobStatus status, JobError error) {
    return new Job(JobIds.next(), "acme", "sleep", status, Priority.HIGH, Json.parse("{\"ms\":5}"),
        new Progress(40, "step 2 of 5"), 1, 3, 5000L, null, "https://example.com/hook", T0, T0.plusMillis(8),
        T0.plusMillis(9), status.terminal() ? T0.plusMillis(10) : null,
        status == JobStatus.SUCCEEDED ? Json.parse("{\"sleptMs\":5}") : null, error, false, 7, null);
  }

  @Test
  void representationFollowsTheContract() {
    ObjectNode running = JobJson.representation(job(JobStatus.RUNNING, null), 1800L);
    assertEquals("running", running.get("status").asText());
    assertEquals("high", running.get("priority").asText());
    assertEquals(40, running.get("progress").get("percent").asInt());
    assertEquals("2026-11-22T10:15:30.123Z", running.get("createdAt").asText());
    assertTrue(running.get("finishedAt").isNull());
    assertEquals(1800, running.get("nextPollAfterMs").asLong());
    assertFalse(running.has("tenant"), "the tenant is never shown");
    assertFalse(running.has("version"));
  }

  @Test
  void terminalJobsHaveNoHintAndSucceededHidesError() {
    ObjectNode done = JobJson.representation(job(JobStatus.SUCCEEDED, new JobError("injected", "x")), 1800L);
    assertFalse(done.has("nextPollAfterMs"));
    assertTrue(done.get("error").isNull());
    assertEquals(5, done.get("result").get("sleptMs").asInt());
    ObjectNode failed = JobJson.representation(job(JobStatus.FAILED, new JobError("injected", "x")), null);
    assertEquals("injected", failed.get("error").get("code").asText());
    assertTrue(failed.get("result").isNull());
  }

  @Test
  void fieldsNamesEveryTopLevelFieldOfTheRepresentation() {
    Job everything = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.LOW, Json.object(),
        new Progress(1, null), 1, 3, 5000L, T0, "https://example.com/hook", T0, T0, T0, null, null,
        new JobError("x", "y"), false, 2, "nightly",
        new CallbackState(java.util.UUID.randomUUID(), 1, 500, "HTTP 500", null, T0));
    java.util.List<String> names = new java.util.ArrayList<>();
    JobJson.representation(everything, 100L).fieldNames().forEachRemaining(names::add);
    assertEquals(JobJson.FIELDS, names, "every field, in the representation's order");
  }

  @Test
  void callbackStateShowsTheLatestDelivery() {
    Job base = job(JobStatus.SUCCEEDED, null);
    java.util.UUID delivery = java.util.UUID.randomUUID();
    ObjectNode pending = JobJson.representation(withCallback(base,
        new CallbackState(delivery, 2, 503, "HTTP 503", null, T0)), null);
    assertEquals("pending", pending.get("callback").get("state").asText());
    assertEquals(delivery.toString(), pending.get("callback").get("deliveryId").asText());
    assertEquals(503, pending.get("callback").get("lastStatus").asInt());
    assertEquals("2026-11-22T10:15:30.123Z", pending.get("callback").get("nextAttemptAt").asText());
    ObjectNode delivered = JobJson.representation(withCallback(base,
        new CallbackState(delivery, 3, 200, null, T0, null)), null);
    assertEquals("delivered", delivered.get("callback").get("state").asText());
    assertTrue(delivered.get("callback").get("nextAttemptAt").isNull());
    ObjectNode failed = JobJson.representation(withCallback(base,
        new CallbackState(delivery, 9, null, "connection refused", null, null)), null);
    assertEquals("failed", failed.get("callback").get("state").asText());
    assertTrue(failed.get("callback").get("lastStatus").isNull());
    assertFalse(JobJson.representation(base, null).has("callback"), "no delivery owed, no callback field");
    Job retried = withCallback(job(JobStatus.QUEUED, null), new CallbackState(delivery, 1, 503, "HTTP 503", null,
        null));
    assertEquals("superseded", JobJson.representation(retried, 100L).get("callback").get("state").asText(),
        "sent around again before the delivery was done");
  }

  private static Job withCallback(Job job, CallbackState callback) {
    return new Job(job.id(), job.tenant(), job.type(), job.status(), job.priority(), job.payload(), job.progress(),
        job.attempts(), job.maxAttempts(), job.timeoutMs(), job.runAt(), job.callbackUrl(), job.createdAt(),
        job.startedAt(), job.updatedAt(), job.finishedAt(), job.result(), job.error(), job.cancelRequested(),
        job.version(), job.schedule(), callback);
  }

  @Test
  void cacheFormRoundTrips() {
    Job original = job(JobStatus.SUCCEEDED, null);
    assertEquals(original, JobJson.fromCache(JobJson.toCache(original)));
    Job called = withCallback(original, new CallbackState(java.util.UUID.randomUUID(), 2, 500, "HTTP 500", T0, T0));
    assertEquals(called, JobJson.fromCache(JobJson.toCache(called)));
    Job queued = new Job(JobIds.next(), "t", "noop", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 0, 3,
        null, T0, null, T0, null, T0, null, null, null, true, 1, "nightly");
    assertEquals(queued, JobJson.fromCache(JobJson.toCache(queued)));
    Job running = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 2, 3,
        null, null, null, T0, T0, T0.plusSeconds(9), null, null, null, false, 3, null, null, null, T0.plusSeconds(5),
        T0.plusSeconds(6));
    assertEquals(running, JobJson.fromCache(JobJson.toCache(running)), "the attempt's start travels with the copy");
    assertFalse(JobJson.representation(running, 100L).has("attemptStartedAt"), "but is not in the API's answer");
    assertFalse(JobJson.representation(running, 100L).has("handlerStartedAt"));
  }
}
