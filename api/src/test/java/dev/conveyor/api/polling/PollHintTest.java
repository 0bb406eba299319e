package dev.conveyor.api.polling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.api.hints.HintInputs;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Priority;
import dev.conveyor.jobs.Progress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PollHintTest {
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:10Z");

  private static Job job(JobStatus status, Progress progress, Instant startedAt) {
    return new Job(JobIds.next(), "t", "sleep", status, Priority.NORMAL, Json.object(), progress, 1, 3, null, null,
        null, NOW.minusSeconds(20), startedAt, NOW, null, null, null, false, 1, null);
  }

  private static Job queuedFor(long ms) {
    Instant created = NOW.minusMillis(ms);
    return new Job(JobIds.next(), "t", "sleep", JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 0, 3, null, null,
        null, created, null, created, null, null, null, false, 1, null);
  }

  /** Never started: every type is unknown (a cold start), as in an API process that has just come up. */
  private static PollHint hint(long minMs, long maxMs) {
    return new PollHint(new HintInputs(null, null, null, null, "test"), minMs, maxMs);
  }

  @Test
  void terminalJobsGetNoHint() {
    assertNull(hint(100, 30_000).forJob(job(JobStatus.SUCCEEDED, null, null), NOW));
  }

  @Test
  void hintsStayWithinTheConfiguredBoundsWhateverTheJitter() {
    for (int i = 0; i < 100; i++) {
      assertEquals(2_000, hint(2_000, 3_000).forJob(queuedFor(0), NOW));
      long waited = hint(100, 30_000).forJob(queuedFor(20_000), NOW);
      assertTrue(waited >= 10_000 && waited <= 10_000 + 40, "queued 20 s, nothing known: half its wait: " + waited);
      assertEquals(3_000, hint(100, 3_000).forJob(queuedFor(20_000), NOW), "clamped");
      long slow = hint(100, 3_000).forJob(job(JobStatus.RUNNING, new Progress(1, "x"), NOW.minusSeconds(10)), NOW);
      assertEquals(3_000, slow);
      long cold = hint(100, 30_000).forJob(queuedFor(0), NOW);
      assertTrue(cold >= 180 && cold <= 220, "a cold start's first look, ±10 %: " + cold);
    }
  }

  @Test
  void retryAfterIsWholeSecondsAtLeastOne() {
    assertEquals(1, PollHint.retryAfterSeconds(100));
    assertEquals(1, PollHint.retryAfterSeconds(1000));
    assertEquals(2, PollHint.retryAfterSeconds(1001));
  }
}
