package dev.conveyor.api.polling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void terminalJobsGetNoHint() {
    assertNull(new PollHint(100, 30_000).forJob(job(JobStatus.SUCCEEDED, null, null), NOW));
  }

  @Test
  void hintsStayWithinTheConfiguredBounds() {
    PollHint hint = new PollHint(2_000, 3_000);
    assertEquals(2_000, hint.forJob(job(JobStatus.QUEUED, null, null), NOW));
    long slow = hint.forJob(job(JobStatus.RUNNING, new Progress(1, "x"), NOW.minusSeconds(10)), NOW);
    assertTrue(slow >= 2_000 && slow <= 3_000, "hint " + slow);
  }

  @Test
  void slowerProgressMeansLongerHints() {
    PollHint hint = new PollHint(100, 30_000);
    long fast = hint.forJob(job(JobStatus.RUNNING, new Progress(50, "x"), NOW.minusMillis(500)), NOW);
    long slow = hint.forJob(job(JobStatus.RUNNING, new Progress(5, "x"), NOW.minusSeconds(20)), NOW);
    assertTrue(fast < slow, fast + " < " + slow);
  }

  @Test
  void retryAfterIsWholeSecondsAtLeastOne() {
    assertEquals(1, PollHint.retryAfterSeconds(100));
    assertEquals(1, PollHint.retryAfterSeconds(1000));
    assertEquals(2, PollHint.retryAfterSeconds(1001));
  }
}
