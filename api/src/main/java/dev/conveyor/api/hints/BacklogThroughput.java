package dev.conveyor.api.hints;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What the workers can do for each type: the throughput over the life of the backlog waiting now, once it has lasted
 * {@link #MEASURE_MS} and {@link #MEASURE_JOBS} of the type's jobs finished; with no backlog, the last one's. A rate
 * over the backlog's own life, not over fixed windows, is known within a second of its start, before a window that
 * began idle would stop undercounting it. It rises at once and falls slowly: once the backlog has run out (the count
 * of a large queue is a moment old) the rate so far undercounts, and a capacity too low makes hints late, where one
 * too high only costs a read. Over the same life, how many of the type's jobs ran at once (see {@link #inFlight}).
 * One caller at a time.
 */
final class BacklogThroughput {
  /** Fewer queued jobs than this drain too soon to measure, as when workers still warming up hold the first a moment. */
  static final long MIN_WAITING = 100;
  /** Sooner, the first claims' lag and a few finishes' noise would weigh, and a capacity too high falls only slowly. */
  static final long MEASURE_MS = 500;
  static final long MEASURE_JOBS = 50;
  /** How fast a capacity the workers no longer reach is forgotten. */
  static final double HALF_LIFE_MS = 60_000;

  /**
   * Since when (ms, monotonic) a backlog of a type has waited, how many of the type had finished then, the sum of
   * their durations in seconds, and how many ran at once over its life so far (0 until measured).
   */
  private record Backlog(long sinceMs, long finished, double busySeconds, double inFlight) {
  }

  private final Map<String, Backlog> backlogs = new HashMap<>();

  /**
   * The type's capacity in jobs a second, given the last one ({@code before}, 0 if none), how many of its jobs wait,
   * how many have finished so far and the sum of their durations in seconds (counters), now, and how long since the
   * last call.
   */
  double capacity(String type, double before, long waiting, long finished, double busySeconds, long nowMs,
      long sinceLastMs) {
    if (waiting < MIN_WAITING) {
      backlogs.remove(type);
      return before;
    }
    Backlog backlog = backlogs.get(type);
    if (backlog == null || finished < backlog.finished() || busySeconds < backlog.busySeconds()) {
      // A new backlog, or the finish counter started again (Redis lost it): measure from here.
      backlogs.put(type, new Backlog(nowMs, finished, busySeconds, 0));
      return before;
    }
    if (nowMs - backlog.sinceMs() < MEASURE_MS || finished - backlog.finished() < MEASURE_JOBS) {
      return before;
    }
    double measured = (finished - backlog.finished()) * 1000.0 / (nowMs - backlog.sinceMs());
    backlogs.put(type, new Backlog(backlog.sinceMs(), backlog.finished(), backlog.busySeconds(),
        (busySeconds - backlog.busySeconds()) * 1000 / (nowMs - backlog.sinceMs())));
    double slow = Math.pow(0.5, sinceLastMs / HALF_LIFE_MS);
    return Math.max(measured, before * slow + measured * (1 - slow));
  }

  /**
   * How many of the type's jobs ran at once, on average, over the life of the backlog waiting now: the durations of
   * those that finished meanwhile, summed, over that time (Little's law); 0 with no backlog or before it is measured.
   * Unlike a count of the jobs marked running, it sees the slots of short jobs, which each are marked running for only
   * part of the time they hold one (their claim and their end are written in batches): a backlog of 50 ms jobs that ran
   * 58 at once was counted 14 running. A job that started before the backlog counts whole, so it may be over.
   */
  double inFlight(String type) {
    Backlog backlog = backlogs.get(type);
    return backlog == null ? 0 : backlog.inFlight();
  }

  /** Forgets the types no longer known. */
  void retain(Collection<String> types) {
    backlogs.keySet().retainAll(types);
  }
}
