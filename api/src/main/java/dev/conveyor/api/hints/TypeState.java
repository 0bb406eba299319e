package dev.conveyor.api.hints;

import dev.conveyor.jobs.Priority;
import dev.conveyor.store.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
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
  private static final int TENTHS = JobStore.Queued.WAIT_POINTS;

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
   * The same, with {@code added} more jobs queued per priority, the earliest of them due at {@code dueFrom}. Where
   * the waits at each tenth are known (see {@link JobStore.Queued#waitTenthsMs}), or nothing was counted, the added
   * jobs join them as due at once, just before {@code dueFrom}: a job due after them has all of them ahead, and one
   * counted before them none. Else the waits counted stay. (Taken as due evenly since the count, a quarter of a
   * batch of 2,000 was behind a job submitted after it, whose 202 came 250 ms after it was made: told 1.4 s, it
   * started 1.8 s after its 202.)
   */
  TypeState plus(Map<Priority, Long> added, Instant dueFrom) {
    // Their wait at the count, 1 ms longer than the earliest's: so that each of them, the earliest too, is behind all.
    long waitAtCount = countedAt == null ? 0 : Duration.between(dueFrom, countedAt).toMillis() + 1;
    Map<Priority, JobStore.Queued> more = new EnumMap<>(Priority.class);
    more.putAll(queued);
    added.forEach((p, n) -> {
      JobStore.Queued before = queued(p);
      List<Long> tenths = countedAt == null ? before.waitTenthsMs()
          : withAdded(before.count(), before.waitTenthsMs(), n, waitAtCount);
      more.put(p, new JobStore.Queued(before.count() + n, before.oldestWaitMs(), tenths));
    });
    return new TypeState(durations, firstReports, drainPerSecond, capacityPerSecond, backlogPerSecond, more, running,
        countedAt, leftSinceCount, leftCountedAt, capacityLearnt);
  }

  /**
   * The waits at each tenth of {@code count} jobs waiting {@code tenths} (oldest first; between two, taken as due
   * evenly) and {@code added} younger ones that all waited {@code addedWaitMs} (at least that each, oldest first);
   * {@code tenths} unchanged if they are not known for a queue that held jobs.
   */
  static List<Long> withAdded(long count, List<Long> tenths, long added, long addedWaitMs) {
    if (count > 0 && tenths.size() != TENTHS) {
      return tenths;
    }
    List<Long> merged = new ArrayList<>(TENTHS);
    double all = count + added;
    for (int k = 0; k < TENTHS; k++) {
      // How far from the oldest this tenth lies, in jobs.
      double rank = all * k / (TENTHS - 1);
      if (count == 0 || rank > count) {
        merged.add(addedWaitMs);
      } else {
        double at = rank / count * (TENTHS - 1);
        int i = Math.min(TENTHS - 2, (int) at);
        // Counted jobs younger than the added ones (made after them, counted before they were accepted) are taken
        // as due with them: the waits must not rise again towards the youngest, or the added would count as older.
        merged.add(Math.max(addedWaitMs, Math.round(tenths.get(i) + (tenths.get(i + 1) - tenths.get(i)) * (at - i))));
      }
    }
    return merged;
  }
}
