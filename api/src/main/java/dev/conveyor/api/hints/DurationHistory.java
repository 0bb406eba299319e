package dev.conveyor.api.hints;

import java.util.Arrays;

/**
 * A type's recent durations as a histogram whose weights decay: each refresh multiplies what was there by a factor
 * below one and adds what finished since, so the recent past counts most. Quantiles interpolate within a bucket.
 * Immutable.
 *
 * @param boundsMs upper bound of each bucket but the last, which is unbounded
 * @param weights one per bucket, {@code boundsMs.length + 1} of them
 */
public record DurationHistory(long[] boundsMs, double[] weights) {
  /** Below this total weight the history says nothing (a cold start). */
  static final double MIN_WEIGHT = 3;

  public DurationHistory {
    if (weights.length != boundsMs.length + 1) {
      throw new IllegalArgumentException("one weight per bucket, the last unbounded");
    }
  }

  public static DurationHistory empty(long[] boundsMs) {
    return new DurationHistory(boundsMs, new double[boundsMs.length + 1]);
  }

  /** This history aged by {@code factor} (0..1), plus {@code finished} new counts per bucket. */
  public DurationHistory decayAndAdd(double factor, long[] finished) {
    double[] next = new double[weights.length];
    for (int i = 0; i < next.length; i++) {
      next[i] = weights[i] * factor + (i < finished.length ? Math.max(0, finished[i]) : 0);
    }
    return new DurationHistory(boundsMs, next);
  }

  public double total() {
    return Arrays.stream(weights).sum();
  }

  public boolean known() {
    return total() >= MIN_WEIGHT;
  }

  /** The duration under which a share {@code q} of the recent jobs ended; -1 if not known. */
  public long quantile(double q) {
    return conditionalQuantile(q, 0);
  }

  /**
   * The lower bound of the bucket that holds the {@code q} quantile; -1 if not known. Where the interpolated quantile
   * may lie anywhere in a wide bucket, this is the earliest it can be.
   */
  public long quantileFloor(double q) {
    long value = quantile(q);
    if (value < 0) {
      return -1;
    }
    for (int i = 0; i < boundsMs.length; i++) {
      if (value <= boundsMs[i]) {
        return i == 0 ? 0 : boundsMs[i - 1];
      }
    }
    return lastBound();
  }

  /**
   * Of the jobs that ran longer than {@code afterMs}, the duration under which a share {@code q} ended; -1 if too few
   * ran that long (or nothing is known).
   */
  public long conditionalQuantile(double q, long afterMs) {
    double[] w = weights.clone();
    for (int i = 0; i < w.length; i++) {
      long low = i == 0 ? 0 : boundsMs[i - 1];
      long high = i < boundsMs.length ? boundsMs[i] : -1;
      if (high >= 0 && high <= afterMs) {
        w[i] = 0;
      } else if (afterMs > low && high > low) {
        w[i] *= (double) (high - afterMs) / (high - low);
      }
    }
    double total = Arrays.stream(w).sum();
    if (total < MIN_WEIGHT / 2 || total <= 0) {
      return -1;
    }
    double target = q * total;
    double seen = 0;
    for (int i = 0; i < w.length; i++) {
      if (w[i] > 0 && seen + w[i] >= target) {
        long low = Math.max(afterMs, i == 0 ? 0 : boundsMs[i - 1]);
        long high = i < boundsMs.length ? boundsMs[i] : Math.max(low * 2, 1);
        return low + Math.round((high - low) * (target - seen) / w[i]);
      }
      seen += w[i];
    }
    return lastBound();
  }

  private long lastBound() {
    return boundsMs.length == 0 ? -1 : boundsMs[boundsMs.length - 1];
  }
}
