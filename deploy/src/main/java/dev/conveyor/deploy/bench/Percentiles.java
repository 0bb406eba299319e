package dev.conveyor.deploy.bench;

import org.HdrHistogram.AbstractHistogram;

/** Latency percentiles in milliseconds, and how many values they were taken from. */
record Percentiles(long count, double p50Ms, double p99Ms, double maxMs) {
  /** From a histogram of microseconds. */
  static Percentiles ofMicros(AbstractHistogram histogram) {
    return new Percentiles(histogram.getTotalCount(), histogram.getValueAtPercentile(50) / 1000.0,
        histogram.getValueAtPercentile(99) / 1000.0, histogram.getMaxValue() / 1000.0);
  }
}
