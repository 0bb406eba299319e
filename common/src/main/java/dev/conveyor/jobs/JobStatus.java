package dev.conveyor.jobs;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The life cycle of a job, with the one table of moves every writer obeys. A terminal job stays terminal, except
 * that a client's retry sends a failed or cancelled one back to the queue.
 */
public enum JobStatus {
  QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  private static final Map<JobStatus, Set<JobStatus>> MOVES = Map.of(
      QUEUED, Set.of(RUNNING, CANCELLED),
      RUNNING, Set.of(QUEUED, SUCCEEDED, FAILED, CANCELLED),
      SUCCEEDED, Set.of(),
      FAILED, Set.of(QUEUED),
      CANCELLED, Set.of(QUEUED));

  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  public boolean canMoveTo(JobStatus next) {
    return MOVES.get(this).contains(next);
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobStatus fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
