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
        new JobError("x", "y"), false, 2, "nightly");
    java.util.List<String> names = new java.util.ArrayList<>();
    JobJson.representation(everything, 100L).fieldNames().forEachRemaining(names::add);
    assertEquals(JobJson.FIELDS, names, "every field, in the representation's order");
  }

  @Test
  void cacheFormRoundTrips() {
    Job original = job(JobStatus.SUCCEEDED, null);
    assertEquals(original, JobJson.fromCache(JobJson.toCache(original)));
    Job queued = new Job(JobIds.next(), "t", "noop", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 0, 3,
        null, T0, null, T0, null, T0, null, null, null, true, 1, "nightly");
    assertEquals(queued, JobJson.fromCache(JobJson.toCache(queued)));
  }
}
