package dev.conveyor.api.hints;

import dev.conveyor.jobs.Priority;
import dev.conveyor.store.JobStore;
import java.time.Instant;
import java.util.Map;

/**
 * What the hints know of one job type, shared by every API process (it is read from Redis and PostgreSQL, which
 * they all write): its recent durations, how many of its jobs finish a second lately, and how many wait per
 * priority (and how long the oldest has waited), as counted at {@code countedAt}.
 */
public record TypeState(DurationHistory durations, double drainPerSecond, Map<Priority, JobStore.Queued> queued,
    Instant countedAt) {
  private static final JobStore.Queued NONE = new JobStore.Queued(0, 0);

  public JobStore.Queued queued(Priority priority) {
    return queued.getOrDefault(priority, NONE);
  }
}
