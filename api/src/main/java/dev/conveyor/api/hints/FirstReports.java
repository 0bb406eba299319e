package dev.conveyor.api.hints;

import dev.conveyor.cache.JobMetrics;

/**
 * How a type's recent jobs first reported progress, which tells what a job that has not reported yet may be: how far
 * into their runs they did ({@code shares}, in percent, those that never did at 100), and how long those that reported
 * only late in their run or never ran ({@code lateLengths}, see {@code JobMetrics.LATE_REPORT_SHARE}).
 */
public record FirstReports(DurationHistory shares, DurationHistory lateLengths) {
  public static final FirstReports NONE = new FirstReports(DurationHistory.empty(JobMetrics.FIRST_REPORT_BUCKETS),
      DurationHistory.empty(JobMetrics.HINT_BUCKETS_MS));
}
