package dev.conveyor.api.polling;

import dev.conveyor.api.hints.HintEstimator;
import dev.conveyor.api.hints.HintInputs;
import dev.conveyor.jobs.Job;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a client should next read a job: {@link HintEstimator} on what {@link HintInputs} knows now, with fresh
 * jitter, clamped to {@code CONVEYOR_POLL_MIN_MS}..{@code CONVEYOR_POLL_MAX_MS}. Terminal jobs get no hint.
 */
public final class PollHint {
  private final HintInputs inputs;
  private final long minMs;
  private final long maxMs;

  public PollHint(HintInputs inputs, long minMs, long maxMs) {
    this.inputs = inputs;
    this.minMs = minMs;
    this.maxMs = maxMs;
  }

  public Long forJob(Job job, Instant now) {
    return HintEstimator.hint(job, now, inputs.state(job.type()), inputs.load(),
        ThreadLocalRandom.current().nextDouble(), minMs, maxMs);
  }

  /** Retry-After is whole seconds and at least one. */
  public static long retryAfterSeconds(long hintMs) {
    return Math.max(1, (hintMs + 999) / 1000);
  }
}
