package dev.conveyor.api.hints;

import dev.conveyor.jobs.Priority;
import dev.conveyor.store.JobStore;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the hints know of one job type, shared by every API process (it is read from Redis and PostgreSQL, which they
 * all write): its recent durations, how its recent jobs first reported progress (see {@link FirstReports}), how many
 * of its jobs finish a second lately ({@code drainPerSecond}) and how many finished a second the last time a backlog
 * of them waited ({@code capacityPerSecond}: what the workers can do, which an idle spell does not lower) and while
 * one waits now, once measured ({@code backlogPerSecond}, else 0; see {@link BacklogThroughput#rate}), how many
 * wait per priority (and how long the oldest has waited) and how many run (and for how long; while some run, their
 * count is at least the slots seen lately, see {@link RunningSlots}), as counted at {@code countedAt}, plus the jobs
 * this process accepted since; how many of its jobs left the queue (started their first attempt, or finished)
 * between that count and {@code leftCountedAt} (-1 if not known); and whether the capacity is learnt from a backlog
 * measured long enough ({@code capacityLearnt}, see {@link BacklogThroughput#learnt}).
 */
public record TypeState(DurationHistory durations, FirstReports firstReports, double drainPerSecond,
    double capacityPerSecond, double backlogPerSecond, Map<Priority, JobStore.Queued> queued,
    JobStore.Running running, Instant countedAt, long leftSinceCount, Instant leftCountedAt,
    boolean capacityLearnt) {
  private static final JobStore.Queued NONE = new JobStore.Queued(0, 0);

  /** A type with no backlog measured now. */
  public TypeState(DurationHistory durations, FirstReports firstReports, double drainPerSecond,
      double capacityPerSecond, Map<Priority, JobStore.Queued> queued, JobStore.Running running, Instant countedAt) {
    this(durations, firstReports, drainPerSecond, capacityPerSecond, 0, queued, running, countedAt);
  }

  /** A type of which what left the queue since the count is not known, its capacity (if any) learnt. */
  public TypeState(DurationHistory durations, FirstReports firstReports, double drainPerSecond,
      double capacityPerSecond, double backlogPerSecond, Map<Priority, JobStore.Queued> queued,
      JobStore.Running running, Instant countedAt) {
    this(durations, firstReports, drainPerSecond, capacityPerSecond, backlogPerSecond, queued, running, countedAt, -1,
        null, true);
  }

  public JobStore.Queued queued(Priority priority) {
    return queued.getOrDefault(priority, NONE);
  }

  /**
   * The same, with {@code added} more jobs queued per priority. The waits counted stay: the jobs added are the
   * youngest, so each of them has all the rest ahead (a job counted before them takes a share of them as ahead of it
   * too, until the next count).
   */
  TypeState plus(Map<Priority, Long> added) {
    Map<Priority, JobStore.Queued> more = new EnumMap<>(Priority.class);
    more.putAll(queued);
    added.forEach((p, n) -> more.put(p, new JobStore.Queued(queued(p).count() + n, queued(p).oldestWaitMs(),
        queued(p).waitTenthsMs())));
    return new TypeState(durations, firstReports, drainPerSecond, capacityPerSecond, backlogPerSecond, more, running,
        countedAt, leftSinceCount, leftCountedAt, capacityLearnt);
  }
}
