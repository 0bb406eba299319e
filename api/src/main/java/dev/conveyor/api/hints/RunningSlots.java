package dev.conveyor.api.hints;

import dev.conveyor.store.JobStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The slots a type's queued jobs wait for, as the hints take its running jobs' count: while some run, at least as
 * many as were counted running at once lately, which falls by half in {@link #HALF_LIFE_MS}, and as ran at once over
 * the backlog waiting now (see {@link BacklogThroughput#inFlight}). A count taken while the workers take up a new
 * backlog finds a few running where they soon run as many as their slots: read as the slots, a backlog of 1,400 short
 * jobs behind 11 running looked like 21 s of work that took 2. The backlog's measure is not kept past it: long jobs
 * that end early in a backlog can make it too high. One caller at a time.
 */
final class RunningSlots {
  static final double HALF_LIFE_MS = 60_000;

  /** The most that ran at once, decayed to when it was last counted (ms, monotonic). */
  private record Peak(double count, long atMs) {
  }

  private final Map<String, Peak> peaks = new HashMap<>();

  /**
   * The running jobs of a type just counted, {@code running}, with their count raised to the slots seen lately, and
   * to {@code inFlight}, how many ran at once over the backlog waiting now (0 if not known).
   */
  JobStore.Running slots(String type, JobStore.Running running, double inFlight, long nowMs) {
    Peak before = peaks.get(type);
    double decayed = before == null ? 0 : before.count() * Math.pow(0.5, (nowMs - before.atMs()) / HALF_LIFE_MS);
    Peak peak = new Peak(Math.max(running.count(), decayed), nowMs);
    peaks.put(type, peak);
    long slots = (long) Math.max(peak.count(), inFlight);
    // None running says nothing of the slots: no worker may take the type, and its jobs wait for that, not for room.
    return running.count() == 0 || slots <= running.count() ? running : new JobStore.Running(slots,
        running.longestMs(), running.shortestMs(), running.lengthMs(), running.firstAttempts());
  }

  /** Forgets the types no longer known. */
  void retain(Collection<String> types) {
    peaks.keySet().retainAll(types);
  }
}
