package dev.conveyor.api.hints;

import dev.conveyor.cache.JobMetrics;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the workers can do for each type: the throughput over the life of the backlog waiting now, once it has lasted
 * {@link #MEASURE_MS} and {@link #MEASURE_JOBS} of the type's jobs finished; with no backlog, the last one's. A rate
 * over the backlog's own life, not over fixed windows, is known within a second of its start, before a window that
 * began idle would stop undercounting it. Once the backlog has lasted twice a recent window, the rate over that window
 * if higher (see {@link #rate}): workers speed up as a backlog goes on (the JIT compiles their paths, the first claims'
 * lag is past), and over its whole life a first backlog of 50 ms jobs measured 366 to 421 a second where it drained at
 * 470 to 700, so that jobs behind it were first read 0.5 to 2.2 s after they started (with the window, 0.7 s). It
 * rises at once and falls slowly: once the backlog has run out (the count of a large queue is a moment old) the rate
 * so far undercounts, and a capacity too low makes hints late, where one too high only costs a read. Over the same
 * life, how many of the type's jobs ran at once (see {@link #inFlight}). One caller at a time.
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
   * The recent window: this long, or this many turnovers of the slots if longer, so that jobs that end in rounds (a
   * burst of 3 s jobs on 64 slots) are not read as a round's finishes over a moment.
   */
  static final long WINDOW_MS = 500;
  static final double WINDOW_TURNOVERS = 5;
  /**
   * A backlog measured over this much of its life says what the workers can do; the first moments of a type's first
   * one only what they did as it began (cold, they sped up from 356 jobs a second to about 900), and so does a backlog
   * that ended soon after its first measure.
   */
  static final long LEARNT_MS = 2_000;
  /** The finish counts kept for the recent window: four a second for 2.5 minutes. */
  private static final int SAMPLES = 600;

  /** A backlog of one type while it waits: its counters at its start, its finish counts since, and what they say. */
  private static final class Backlog {
    /** When it began to be measured (ms, monotonic), how many of its type had finished then, and in which buckets. */
    final long sinceMs;
    final long finished;
    final long[] durations;
    /** (time, finished count) at each call since, oldest first. */
    final ArrayDeque<long[]> samples = new ArrayDeque<>();
    double inFlight;
    double perSecond;

    Backlog(long sinceMs, long finished, long[] durations) {
      this.sinceMs = sinceMs;
      this.finished = finished;
      this.durations = durations.clone();
    }
  }

  private final Map<String, Backlog> backlogs = new HashMap<>();
  private final Set<String> learnt = new HashSet<>();

  /**
   * The type's capacity in jobs a second, given the last one ({@code before}, 0 if none), how many of its jobs wait,
   * how many have finished so far and how many in each duration bucket ({@code durations}, counters), now, and how
   * long since the last call.
   */
  double capacity(String type, double before, long waiting, long finished, long[] durations, long nowMs,
      long sinceLastMs) {
    if (waiting < MIN_WAITING) {
      backlogs.remove(type);
      return before;
    }
    Backlog backlog = backlogs.get(type);
    long[] last = backlog == null ? null : backlog.samples.peekLast();
    if (backlog == null || finished < (last == null ? backlog.finished : last[1])
        || fewer(durations, backlog.durations)) {
      // A new backlog, or the counters started again (Redis lost them): measure from here.
      backlogs.put(type, new Backlog(nowMs, finished, durations));
      return before;
    }
    if (backlog.samples.size() == SAMPLES) {
      backlog.samples.removeFirst();
    }
    backlog.samples.addLast(new long[] {nowMs, finished});
    long lifeMs = nowMs - backlog.sinceMs;
    if (lifeMs < MEASURE_MS || finished - backlog.finished < MEASURE_JOBS) {
      return before;
    }
    if (lifeMs >= LEARNT_MS) {
      learnt.add(type);
    }
    double overLife = (finished - backlog.finished) * 1000.0 / lifeMs;
    backlog.inFlight = busyMs(backlog.durations, durations, lifeMs) / lifeMs;
    // With no durations counted, how long a slot takes to turn over is not known, nor so the window that rounds need.
    long windowMs = Math.max(WINDOW_MS, Math.round(WINDOW_TURNOVERS * backlog.inFlight * 1000 / overLife));
    double recent = backlog.inFlight <= 0 ? 0 : recent(backlog.samples, windowMs, lifeMs);
    backlog.perSecond = recent > 0 ? recent : overLife;
    double measured = Math.max(overLife, recent);
    double slow = Math.pow(0.5, sinceLastMs / HALF_LIFE_MS);
    return Math.max(measured, before * slow + measured * (1 - slow));
  }

  /** Whether the type's capacity rests on a backlog measured over {@link #LEARNT_MS} of its life. */
  boolean learnt(String type) {
    return learnt.contains(type);
  }

  /**
   * How many of the type's jobs ran at once, on average, over the life of the backlog waiting now: the time those
   * that finished meanwhile ran, over that life (Little's law); 0 with no backlog or before it is measured. Unlike a
   * count of the jobs marked running, it sees the slots of short jobs, which each are marked running for only part of
   * the time they hold one (their claim and their end are written in batches): in a first backlog of 50 ms jobs, 14
   * were counted running and 62 measured. A job counts at most the backlog's life, so one long job that ends in it is
   * one slot; one that started before it counts its whole run, so the measure is at most a little over.
   */
  double inFlight(String type) {
    Backlog backlog = backlogs.get(type);
    return backlog == null ? 0 : backlog.inFlight;
  }

  /**
   * How many of the type's jobs finish a second now, while a backlog of them waits: over its recent window (see
   * {@link #WINDOW_MS}) once it has lasted twice that, else over its life; 0 with no backlog or before it is measured.
   * Unlike {@link #capacity}, this backlog's own and as it goes now, slower as well as faster: jobs longer than those
   * before them may hold the slots now.
   */
  double rate(String type) {
    Backlog backlog = backlogs.get(type);
    return backlog == null ? 0 : backlog.perSecond;
  }

  /**
   * Finishes a second over the last {@code windowMs} or a little more, from the newest count and the last one taken
   * that long before it; 0 if the backlog has lasted less than twice that, or the counts kept do not reach back so far.
   */
  private static double recent(ArrayDeque<long[]> samples, long windowMs, long lifeMs) {
    if (lifeMs < 2 * windowMs) {
      return 0;
    }
    long[] newest = samples.peekLast();
    long[] from = null;
    for (long[] sample : samples) {
      if (newest[0] - sample[0] < windowMs) {
        break;
      }
      from = sample;
    }
    return from == null ? 0 : (newest[1] - from[1]) * 1000.0 / (newest[0] - from[0]);
  }

  /** The time the jobs counted between {@code before} and {@code now} ran, each at most {@code lifeMs}. */
  private static double busyMs(long[] before, long[] now, long lifeMs) {
    long[] bounds = JobMetrics.HINT_BUCKETS_MS;
    double busy = 0;
    for (int i = 0; i < now.length; i++) {
      long ended = now[i] - (i < before.length ? before[i] : 0);
      busy += ended * (double) Math.min(i < bounds.length ? bounds[i] : lifeMs, lifeMs);
    }
    return busy;
  }

  private static boolean fewer(long[] now, long[] before) {
    for (int i = 0; i < before.length; i++) {
      if (i >= now.length || now[i] < before[i]) {
        return true;
      }
    }
    return false;
  }

  /** Forgets the types no longer known. */
  void retain(Collection<String> types) {
    backlogs.keySet().retainAll(types);
    learnt.retainAll(types);
  }
}
