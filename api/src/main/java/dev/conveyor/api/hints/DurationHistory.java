package dev.conveyor.api.hints;

import java.util.Arrays;

/**
 * A type's recent durations as a histogram whose weights decay: each refresh multiplies what was there by a factor
 * below one and adds what finished since, so the recent past counts most. (With bounds in per mille, the same serves
 * how far into their runs the type's jobs first reported progress.) Its buckets are narrow (see
 * {@code JobMetrics.HINT_BUCKETS_MS}), so a bucket's end is a close estimate of a job's end; running sums make a
 * quantile cost a binary search, and {@link #cheapestRead} one pass over the buckets past the job's age (a few
 * thousand at most: microseconds a poll). Immutable.
 */
public final class DurationHistory {
  /** Below this total weight the history says nothing (a cold start). */
  static final double MIN_WEIGHT = 3;
  /** Jobs that weigh less than this together, however long, say nothing of how long a job may run. */
  static final double TAIL_WEIGHT = 0.5;
  /** A job of T ms is seen late by at most the larger of a floor and this share of T without cost to its client. */
  static final double DELAY_SHARE = 0.1;
  /** Seen this many times the delay borne late, a job is as badly served as it can be: later counts no more. */
  static final double LATE_CAP = 10;

  /** Upper bound of each bucket but the last, which is unbounded. */
  private final long[] boundsMs;
  /** One per bucket, {@code boundsMs.length + 1} of them. */
  private final double[] weights;
  /** {@code below[i]}: the weight of the buckets before bucket i; {@code below[weights.length]} is the total. */
  private final double[] below;

  public DurationHistory(long[] boundsMs, double[] weights) {
    if (weights.length != boundsMs.length + 1) {
      throw new IllegalArgumentException("one weight per bucket, the last unbounded");
    }
    this.boundsMs = boundsMs;
    this.weights = weights;
    this.below = new double[weights.length + 1];
    for (int i = 0; i < weights.length; i++) {
      below[i + 1] = below[i] + weights[i];
    }
  }

  public static DurationHistory empty(long[] boundsMs) {
    return new DurationHistory(boundsMs, new double[boundsMs.length + 1]);
  }

  /**
   * A history of the jobs counted per bucket in {@code counts}, weighing {@code weight} in all (or their count, if
   * fewer): their shape, as little as a few recent jobs weigh.
   */
  public static DurationHistory shapeOf(long[] boundsMs, long[] counts, double weight) {
    double[] weights = new double[boundsMs.length + 1];
    long total = 0;
    for (int i = 0; i < weights.length && i < counts.length; i++) {
      total += Math.max(0, counts[i]);
    }
    double scale = total <= weight ? 1 : weight / total;
    for (int i = 0; i < weights.length && i < counts.length; i++) {
      weights[i] = Math.max(0, counts[i]) * scale;
    }
    return new DurationHistory(boundsMs, weights);
  }

  /** This history aged by {@code factor} (0..1), plus {@code finished} new counts per bucket. */
  public DurationHistory decayAndAdd(double factor, long[] finished) {
    return decayAndAdd(factor, finished, 1);
  }

  /**
   * This history aged by {@code factor} (0..1), plus {@code finished} new counts per bucket, each weighing {@code w}.
   */
  public DurationHistory decayAndAdd(double factor, long[] finished, double w) {
    double[] next = new double[weights.length];
    for (int i = 0; i < next.length; i++) {
      next[i] = weights[i] * factor + (i < finished.length ? Math.max(0, finished[i]) * w : 0);
    }
    return new DurationHistory(boundsMs, next);
  }

  public double total() {
    return below[weights.length];
  }

  public boolean known() {
    return total() >= MIN_WEIGHT;
  }

  /** The weight of the recent jobs that ran longer than {@code ms}. */
  public double weightAfter(long ms) {
    return total() - weightUpTo(ms);
  }

  /** The end of the bucket in which half the recent jobs had ended; -1 if nothing is known. */
  public long median() {
    return percentile(0.5);
  }

  /** The end of the bucket in which a share {@code q} of the recent jobs had ended; -1 if nothing is known. */
  public long percentile(double q) {
    return endWithin(q, 0, Long.MAX_VALUE);
  }

  /**
   * The end of the last bucket recent jobs ended in, passing over a tail of less than {@link #TAIL_WEIGHT} (an
   * outlier long decayed); -1 if nothing is known.
   */
  public long longest() {
    double tail = 0;
    for (int i = weights.length - 1; i >= 0; i--) {
      tail += weights[i];
      if (tail >= TAIL_WEIGHT) {
        return i < boundsMs.length ? boundsMs[i] : lastBound() * 2;
      }
    }
    return -1;
  }

  /**
   * Of the recent jobs that ran longer than {@code afterMs} and at most {@code untilMs}, the upper bound of the bucket
   * in which a share {@code q} of them had ended; -1 if too few ran that long. A read aimed there finds such a job
   * ended, late by at most the bucket's width, where a value interpolated within the bucket could come before the
   * end, and each read after it again.
   */
  public long endWithin(double q, long afterMs, long untilMs) {
    double from = weightUpTo(afterMs);
    double total = weightUpTo(untilMs) - from;
    if (total < MIN_WEIGHT / 2) {
      return -1;
    }
    double target = from + Math.max(q * total, Double.MIN_NORMAL);
    int low = 0;
    int high = weights.length - 1;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (below[mid + 1] >= target) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low < boundsMs.length ? boundsMs[low] : Math.max(afterMs, lastBound()) * 2;
  }

  /**
   * For a job that has run {@code afterMs}, the bucket end at which one read costs least, -1 if too few recent jobs ran
   * that long. A read at time t costs each recent job that ended by t its lateness, in units of the delay its client
   * can bear ({@code floorMs}, or a tenth of its length if more), and each that had not ended {@code readCost} units:
   * the read that still finds it running; lateness counts at most {@link #LATE_CAP} units. So a read lands after a
   * tight cluster of ends, not at a median between clusters far apart, passes over a few outliers, and a spread of
   * ends is read at intervals a few times as wide as the delay it allows.
   */
  public long cheapestRead(long afterMs, long floorMs, double readCost) {
    double mass = total() - weightUpTo(afterMs);
    if (mass < MIN_WEIGHT / 2) {
      return -1;
    }
    int first = firstEndingAfter(afterMs);
    // Never so late that half of the jobs would be seen later than they bear: a slow cluster (jobs run on a cold
    // worker, say) outweighing the rest would otherwise have every job read after it.
    long median = endWithin(0.5, afterMs, Long.MAX_VALUE);
    double latest = median + Math.max(floorMs, DELAY_SHARE * median);
    double ended = 0;
    double perAllowed = 0;
    double endsPerAllowed = 0;
    // Jobs seen LATE_CAP allowances late or more, each counted as that: past it, lateness is only lateness.
    double capped = 0;
    int uncapped = first;
    double cheapest = Double.MAX_VALUE;
    long at = -1;
    for (int i = first; i < weights.length && ended < mass * (1 - 1e-9); i++) {
      double weight = weightPast(i, afterMs, first);
      if (weight <= 0) {
        continue;
      }
      long end = end(i, afterMs);
      if (end > latest && at >= 0) {
        break;
      }
      double allowed = allowed(i, afterMs, floorMs);
      ended += weight;
      perAllowed += weight / allowed;
      endsPerAllowed += weight * end / allowed;
      for (; uncapped < i && end >= end(uncapped, afterMs) + LATE_CAP * allowed(uncapped, afterMs, floorMs);
          uncapped++) {
        double w = weightPast(uncapped, afterMs, first);
        double a = allowed(uncapped, afterMs, floorMs);
        perAllowed -= w / a;
        endsPerAllowed -= w * end(uncapped, afterMs) / a;
        capped += w;
      }
      double cost = end * perAllowed - endsPerAllowed + LATE_CAP * capped + readCost * Math.max(0, mass - ended);
      if (cost < cheapest) {
        cheapest = cost;
        at = end;
      }
    }
    return at;
  }

  /** Bucket {@code i}'s end; the last, unbounded one is taken to end at twice the last bound (or the job's age). */
  private long end(int i, long afterMs) {
    return i < boundsMs.length ? boundsMs[i] : Math.max(afterMs, lastBound()) * 2;
  }

  private double allowed(int i, long afterMs, long floorMs) {
    return Math.max(floorMs, DELAY_SHARE * end(i, afterMs));
  }

  /** Bucket {@code i}'s weight; in the bucket the job is in ({@code first}), only its part past the job's age. */
  private double weightPast(int i, long afterMs, int first) {
    long start = i == 0 ? 0 : boundsMs[i - 1];
    return i == first && i < boundsMs.length && afterMs > start
        ? weights[i] * (boundsMs[i] - afterMs) / (boundsMs[i] - start) : weights[i];
  }

  private int firstEndingAfter(long ms) {
    int i = Arrays.binarySearch(boundsMs, ms);
    return i >= 0 ? i + 1 : -i - 1;
  }

  /** The weight of the jobs that ended within {@code ms}, taking each bucket's jobs as spread evenly over it. */
  private double weightUpTo(long ms) {
    int i = Arrays.binarySearch(boundsMs, ms);
    if (i >= 0) {
      return below[i + 1];
    }
    int bucket = -i - 1;
    if (bucket == boundsMs.length) {
      return ms == Long.MAX_VALUE ? total() : below[bucket];
    }
    long start = bucket == 0 ? 0 : boundsMs[bucket - 1];
    return below[bucket] + weights[bucket] * Math.max(0, ms - start) / (boundsMs[bucket] - start);
  }

  private long lastBound() {
    return boundsMs.length == 0 ? -1 : boundsMs[boundsMs.length - 1];
  }
}
