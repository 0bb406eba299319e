package dev.conveyor.api.polling;

import dev.conveyor.jobs.Job;
import java.time.Duration;
import java.time.Instant;

/**
 * When a client should next read a job. For now: from its state and the progress rate of the running attempt,
 * clamped to the configured bounds. Terminal jobs get no hint.
 */
public final class PollHint {
  private static final long QUEUED_MS = 500;
  private static final long RUNNING_MS = 1000;

  private final long minMs;
  private final long maxMs;

  public PollHint(long minMs, long maxMs) {
    this.minMs = minMs;
    this.maxMs = maxMs;
  }

  public Long forJob(Job job, Instant now) {
    if (job.status().terminal()) {
      return null;
    }
    long hint = switch (job.status()) {
      case RUNNING -> runningHint(job, now);
      default -> QUEUED_MS;
    };
    return Math.max(minMs, Math.min(maxMs, hint));
  }

  /** With progress p% after t ms of this attempt, the next step is roughly t/p away (one percent point). */
  private static long runningHint(Job job, Instant now) {
    if (job.progress() == null || job.progress().percent() <= 0 || job.startedAt() == null) {
      return RUNNING_MS;
    }
    long elapsed = Math.max(1, Duration.between(job.startedAt(), now).toMillis());
    long remaining = elapsed * (100 - job.progress().percent()) / job.progress().percent();
    return Math.min(RUNNING_MS * 5, Math.max(remaining / 10, elapsed / job.progress().percent()));
  }

  /** Retry-After is whole seconds and at least one. */
  public static long retryAfterSeconds(long hintMs) {
    return Math.max(1, (hintMs + 999) / 1000);
  }
}
