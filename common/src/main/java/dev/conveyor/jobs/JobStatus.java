package dev.conveyor.jobs;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The life cycle of a job, with the one table of moves every writer obeys. */
public enum JobStatus {
  QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  private static final Map<JobStatus, Set<JobStatus>> MOVES = Map.of(
      QUEUED, Set.of(RUNNING, CANCELLED),
      RUNNING, Set.of(QUEUED, SUCCEEDED, FAILED, CANCELLED),
      SUCCEEDED, Set.of(),
      FAILED, Set.of(),
      CANCELLED, Set.of());

  public boolean terminal() {
    return MOVES.get(this).isEmpty();
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
