package dev.conveyor.api.hints;

import dev.conveyor.cache.JobMetrics;

/**
 * How a type's recent jobs first reported progress, which tells what a job that has not reported yet may be: how far
 * into their handlers' runs they did ({@code shares}, per mille, those that never did at 1000), how long those that
 * reported only late in their run or never ran ({@code lateLengths}, see {@code JobMetrics.LATE_REPORT_SHARE}), and
 * how long after their claim their handlers began ({@code claimLags}).
 */
public record FirstReports(DurationHistory shares, DurationHistory lateLengths, DurationHistory claimLags) {
  public static final FirstReports NONE = new FirstReports(DurationHistory.empty(JobMetrics.FIRST_REPORT_BUCKETS),
      DurationHistory.empty(JobMetrics.HINT_BUCKETS_MS), DurationHistory.empty(JobMetrics.CLAIM_LAG_BUCKETS_MS));

  /** With no claim lags known. */
  public FirstReports(DurationHistory shares, DurationHistory lateLengths) {
    this(shares, lateLengths, DurationHistory.empty(JobMetrics.CLAIM_LAG_BUCKETS_MS));
  }

  /** The lag from a claim to its handler's start that this share {@code q} of the recent ones had; 0 if none known. */
  long claimLagMs(double q) {
    return claimLags.known() ? claimLags.percentile(q) : 0;
  }
}
