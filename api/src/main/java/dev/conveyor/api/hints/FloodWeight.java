package dev.conveyor.api.hints;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What each of a type's jobs that finish now weighs in its histories: one job, unless the type is flooded, when each
 * weighs {@link #FLOOD_WEIGHT} over the flood's size (see {@link #share}). A flood is mostly one client's bulk work of
 * one kind, not thousands of separate signs of how long the type's next job runs: counted one by one, a backlog of
 * 2,000 jobs of 50 ms outweighed the type's other recent jobs a hundred times for minutes (its weight halves every
 * minute), and every job of 2 s or 20 s queued behind it was read 100 ms after it started, and again 100 ms later, as
 * if it were one of them. Weighed so, such a backlog drained in 2.5 s weighs about 10 in all, and a type under steady
 * load gains 1 to 5 a second. Every job of the type that finishes meanwhile weighs as little, the flood's or not; the
 * flood's shape stays, so a type whose jobs are all alike is read at the same ends. One caller at a time.
 */
final class FloodWeight {
  /**
   * What a flood weighs in all: a few recent jobs, as what an API process finds counted when it starts does. At 32,
   * the floods of three backlogs in two minutes still outweighed the type's other recent jobs, and jobs of 2 s and
   * 20 s behind the third were each read 80 ms after they started.
   */
  static final double FLOOD_WEIGHT = 10;
  /** The window over which a flood's finishes are counted. */
  static final long WINDOW_MS = 2_000;
  /**
   * The jobs waiting count towards a flood's size up to this many times what finished in the window (8 s of its
   * pace): a queue that holds minutes of a type's work is its steady state, not a flood, and counted whole it would
   * leave the type's history too light to be known (at 100 jobs a second with 50,000 waiting, under 2 in all).
   */
  static final double WAITING_WINDOWS = 4;

  /** (time, finished count) at each call within the window, and the newest before it, oldest first. */
  private final Map<String, ArrayDeque<long[]>> samples = new HashMap<>();

  /**
   * The weight of each of the type's jobs counted now, given how many of them have ever finished ({@code finished},
   * a counter) and how many wait and have not left the queue since they were counted ({@code waiting}), at
   * {@code nowMs} (monotonic). A flood's size: the jobs that finished in the window (all since the last call, if
   * that was longer ago: the refreshes may have paused), plus those waiting.
   */
  double share(String type, long finished, long waiting, long nowMs) {
    ArrayDeque<long[]> kept = samples.computeIfAbsent(type, t -> new ArrayDeque<>());
    if (!kept.isEmpty() && finished < kept.peekLast()[1]) {
      // The counters started again (Redis lost them): count from here.
      kept.clear();
    }
    kept.addLast(new long[] {nowMs, finished});
    // The oldest kept is the newest at least a window old: what finished since is all of the window.
    while (kept.size() > 1 && nowMs - second(kept)[0] >= WINDOW_MS) {
      kept.removeFirst();
    }
    long inWindow = finished - kept.peekFirst()[1];
    double flood = inWindow + Math.min(Math.max(0, waiting), WAITING_WINDOWS * inWindow);
    return flood <= FLOOD_WEIGHT ? 1 : FLOOD_WEIGHT / flood;
  }

  private static long[] second(ArrayDeque<long[]> kept) {
    Iterator<long[]> samples = kept.iterator();
    samples.next();
    return samples.next();
  }

  /** Forgets the types no longer known. */
  void retain(Collection<String> types) {
    samples.keySet().retainAll(types);
  }
}
