package dev.conveyor.cache;

import dev.conveyor.batch.Batcher;
import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobStatus;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Job metrics of the whole cluster, kept in Redis so that every API process reports the same totals, whichever
 * worker or API process recorded them: counters per type (and status), and histograms as per-bucket counts.
 */
public final class JobMetrics {
  /** Upper bounds (seconds) of the histogram buckets, for durations from milliseconds to an hour. */
  public static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900,
      3600};

  /**
   * Upper bounds (ms) of the buckets of the durations the poll hints read: every millisecond up to 300 ms, then 0.5 %
   * apart up to an hour, so that a hint aimed at a bucket's end is late by at most 0.5 % of a job's length.
   */
  public static final long[] HINT_BUCKETS_MS = hintBuckets();

  /** Upper bounds (ms) of the buckets of the lags from a claim to its handler's start: every millisecond up to 300. */
  public static final long[] CLAIM_LAG_BUCKETS_MS = java.util.stream.LongStream.rangeClosed(1, 300).toArray();

  /** A histogram as stored: the count in each bucket (the last one unbounded), the sum and the count. */
  public record Histogram(long[] buckets, double sum, long count) {
  }

  /** Everything {@code /metrics} shows of the jobs. */
  public record Snapshot(Map<String, Long> submitted, Map<String, Long> finished, Map<String, Histogram> durations,
      Map<String, Histogram> queueWaits) {
  }

  /**
   * Upper bounds (per mille) of the buckets of how far into its own run a job's handler first reported progress, for
   * the poll hints: a job of a type that reports early and has not reported yet is that much longer than it has run.
   * Per mille, since a hint reckons a silent job's least length from the bucket's end: read from whole percents, a
   * handler that reports at 10 % (10.02, as its thread wakes) counted as 11, and its silent jobs of 20 s were read a
   * moment before their report.
   */
  public static final long[] FIRST_REPORT_BUCKETS = java.util.stream.LongStream.rangeClosed(1, 1000).toArray();
  /**
   * Only handlers that ran this long count there: a job that has run this long without a report is longer, so how
   * shorter ones report (a backlog of tiny jobs that report only at their end, say) says nothing of it.
   */
  public static final long FIRST_REPORT_MIN_RUN_MS = 100;
  /**
   * Jobs whose handler first reported later than this share of their run, or never, count their length apart: a job
   * that has not reported yet may be one of them if enough of them ran longer than it has.
   */
  public static final double LATE_REPORT_SHARE = 0.5;

  /**
   * Per type, the count of its finished jobs in each bucket of {@link #HINT_BUCKETS_MS} (the last one unbounded), of
   * its succeeded ones in each bucket of {@link #FIRST_REPORT_BUCKETS}, of those that reported late (see
   * {@link #LATE_REPORT_SHARE}) in each bucket of {@link #HINT_BUCKETS_MS}, and of the same succeeded ones' lags from
   * claim to handler start in each bucket of {@link #CLAIM_LAG_BUCKETS_MS}.
   */
  public record HintDurations(Map<String, long[]> byType, Map<String, long[]> firstReportsByType,
      Map<String, long[]> lateReportsByType, Map<String, long[]> claimLagsByType) {
  }

  /**
   * How an attempt's handler ran: how long after the claim it began, and how far into its own run (from its start to
   * its return, a share 0..1) it first reported some progress, 1 if it never did; {@link #UNKNOWN} if it did not
   * return or ran less than {@link #FIRST_REPORT_MIN_RUN_MS}.
   */
  public record HandlerRun(Duration claimLag, double firstReportShare) {
    public static final HandlerRun UNKNOWN = new HandlerRun(Duration.ZERO, -1);
  }

  /** Concurrent observations share one write, with the increments of each field added up first. */
  private static final Batcher.Limits BATCHES = new Batcher.Limits(1, 10_000, 100_000);

  /** One field of one hash to add to: by a whole number, or (a sum of seconds) by a fraction. */
  private record Increment(String key, String field, boolean fraction, long by, double byFraction) {
  }

  private final Redis redis;
  private final String prefix;
  private final Dependency dependency;
  private final Batcher<List<Increment>, Void> writes = new Batcher<>("metrics", BATCHES, List::size, this::write,
      err -> false);

  public JobMetrics(Redis redis, RedisKeys keys, Dependency dependency) {
    this.redis = redis;
    this.prefix = keys.namespace() + ":metrics:";
    this.dependency = dependency;
  }

  public Future<Void> submitted(List<Job> jobs) {
    Map<String, Integer> byType = new LinkedHashMap<>();
    jobs.forEach(job -> byType.merge(job.type(), 1, Integer::sum));
    List<Increment> increments = new ArrayList<>();
    byType.forEach((type, n) -> increments.add(new Increment(prefix + "submitted", type, false, n, 0)));
    return writes.submit(increments);
  }

  /** A job reached a terminal state; {@code attemptStart} is when its last attempt began (null if it never ran). */
  public Future<Void> finished(Job job, Instant attemptStart) {
    return finished(job, attemptStart, HandlerRun.UNKNOWN);
  }

  /**
   * The same, with how its last attempt's handler ran. Counted for succeeded jobs only, whose run went to its end:
   * the share and the lag; the length too of those that reported late.
   */
  public Future<Void> finished(Job job, Instant attemptStart, HandlerRun run) {
    List<Increment> increments = new ArrayList<>();
    increments.add(new Increment(prefix + "finished", job.type() + " " + job.status().wire(), false, 1, 0));
    if (attemptStart != null && job.finishedAt() != null) {
      Duration duration = Duration.between(attemptStart, job.finishedAt());
      double firstReportShare = run.firstReportShare();
      if (firstReportShare >= 0 && job.status() == JobStatus.SUCCEEDED) {
        increments.add(new Increment(prefix + "hint-handler-report:" + job.type(),
            Integer.toString(firstReportBucket(firstReportShare)), false, 1, 0));
        increments.add(new Increment(prefix + "hint-claim-lag:" + job.type(),
            Integer.toString(claimLagBucket(run.claimLag())), false, 1, 0));
        if (firstReportShare > LATE_REPORT_SHARE) {
          increments.add(new Increment(prefix + "hint-late-report:" + job.type(), Integer.toString(hintBucket(duration)),
              false, 1, 0));
        }
      }
      observe(increments, "duration:" + job.type(), duration);
      increments.add(new Increment(prefix + "hint-duration:" + job.type(), Integer.toString(hintBucket(duration)),
          false, 1, 0));
    }
    return writes.submit(increments);
  }

  /** A job's first attempt started: how long it waited since it was due. */
  public Future<Void> started(Job job) {
    if (job.attempts() != 1 || job.startedAt() == null) {
      return Future.succeededFuture();
    }
    List<Increment> increments = new ArrayList<>();
    observe(increments, "wait:" + job.type(), Duration.between(job.firstDue(), job.startedAt()));
    return writes.submit(increments);
  }

  /** Adds up the increments of each field, then sends one command per field, in one pipelined batch. */
  private Future<List<Void>> write(List<List<Increment>> observations) {
    Map<List<String>, Increment> byField = new LinkedHashMap<>();
    observations.forEach(increments -> increments.forEach(inc -> byField.merge(List.of(inc.key(), inc.field()), inc,
        (a, b) -> new Increment(a.key(), a.field(), a.fraction(), a.by() + b.by(),
            a.byFraction() + b.byFraction()))));
    List<Request> requests = new ArrayList<>(byField.size());
    byField.values().forEach(inc -> requests.add(inc.fraction()
        ? Request.cmd(Command.HINCRBYFLOAT).arg(inc.key()).arg(inc.field()).arg(Double.toString(inc.byFraction()))
        : Request.cmd(Command.HINCRBY).arg(inc.key()).arg(inc.field()).arg(inc.by())));
    return batch(requests).map(done -> java.util.Collections.nCopies(observations.size(), null));
  }

  private Future<List<Response>> batch(List<Request> requests) {
    return dependency.call(() -> redis.batch(requests));
  }

  private void observe(List<Increment> increments, String histogram, Duration value) {
    double seconds = Math.max(0, value.toNanos() / 1e9);
    int bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) {
      bucket++;
    }
    String key = prefix + histogram;
    increments.add(new Increment(key, "b" + bucket, false, 1, 0));
    increments.add(new Increment(key, "sum", true, 0, seconds));
    increments.add(new Increment(key, "count", false, 1, 0));
  }

  public Future<Snapshot> snapshot(List<String> types) {
    List<Request> requests = new ArrayList<>();
    requests.add(Request.cmd(Command.HGETALL).arg(prefix + "submitted"));
    requests.add(Request.cmd(Command.HGETALL).arg(prefix + "finished"));
    for (String type : types) {
      requests.add(Request.cmd(Command.HGETALL).arg(prefix + "duration:" + type));
      requests.add(Request.cmd(Command.HGETALL).arg(prefix + "wait:" + type));
    }
    return batch(requests).map(responses -> {
      Map<String, Histogram> durations = new LinkedHashMap<>();
      Map<String, Histogram> waits = new LinkedHashMap<>();
      for (int i = 0; i < types.size(); i++) {
        durations.put(types.get(i), histogram(responses.get(2 + 2 * i)));
        waits.put(types.get(i), histogram(responses.get(3 + 2 * i)));
      }
      return new Snapshot(counts(responses.get(0)), counts(responses.get(1)), durations, waits);
    });
  }

  /**
   * The fine duration histograms of {@code types}, their first reports' shares, late reporters' lengths and claim
   * lags.
   */
  public Future<HintDurations> hintDurations(List<String> types) {
    if (types.isEmpty()) {
      return Future.succeededFuture(new HintDurations(Map.of(), Map.of(), Map.of(), Map.of()));
    }
    List<Request> requests = new ArrayList<>();
    for (String hash : List.of("hint-duration:", "hint-handler-report:", "hint-late-report:", "hint-claim-lag:")) {
      types.forEach(type -> requests.add(Request.cmd(Command.HGETALL).arg(prefix + hash + type)));
    }
    return batch(requests).map(responses -> {
      Map<String, long[]> byType = new LinkedHashMap<>();
      Map<String, long[]> firstReports = new LinkedHashMap<>();
      Map<String, long[]> lateReports = new LinkedHashMap<>();
      Map<String, long[]> claimLags = new LinkedHashMap<>();
      int n = types.size();
      for (int i = 0; i < n; i++) {
        byType.put(types.get(i), bucketCounts(responses.get(i), HINT_BUCKETS_MS.length + 1));
        firstReports.put(types.get(i), bucketCounts(responses.get(n + i), FIRST_REPORT_BUCKETS.length + 1));
        lateReports.put(types.get(i), bucketCounts(responses.get(2 * n + i), HINT_BUCKETS_MS.length + 1));
        claimLags.put(types.get(i), bucketCounts(responses.get(3 * n + i), CLAIM_LAG_BUCKETS_MS.length + 1));
      }
      return new HintDurations(byType, firstReports, lateReports, claimLags);
    });
  }

  private static long[] bucketCounts(Response hash, int buckets) {
    long[] counts = new long[buckets];
    for (String field : hash.getKeys()) {
      int bucket = Integer.parseInt(field);
      if (bucket >= 0 && bucket < counts.length) {
        counts[bucket] = hash.get(field).toLong();
      }
    }
    return counts;
  }

  /** The bucket of a share (0..1): the first whose bound in per mille holds it, so a share is never read as earlier. */
  static int firstReportBucket(double share) {
    return bucket(FIRST_REPORT_BUCKETS, share * 1000);
  }

  static int claimLagBucket(Duration lag) {
    return bucket(CLAIM_LAG_BUCKETS_MS, lag.toNanos() / 1e6);
  }

  static int hintBucket(Duration duration) {
    return bucket(HINT_BUCKETS_MS, duration.toNanos() / 1e6);
  }

  /** The first bucket whose upper bound is at least {@code value}; past the last bound, the unbounded one. */
  private static int bucket(long[] bounds, double value) {
    int low = 0;
    int high = bounds.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (bounds[mid] < value) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  private static long[] hintBuckets() {
    List<Long> bounds = new ArrayList<>();
    for (long ms = 1; ms <= 3_600_000; ms = Math.max(ms + 1, Math.round(ms * 1.005))) {
      bounds.add(ms);
    }
    return bounds.stream().mapToLong(Long::longValue).toArray();
  }

  private static Map<String, Long> counts(Response hash) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String field : hash.getKeys()) {
      counts.put(field, hash.get(field).toLong());
    }
    return counts;
  }

  private static Histogram histogram(Response hash) {
    long[] buckets = new long[BUCKETS.length + 1];
    for (int i = 0; i < buckets.length; i++) {
      Response value = hash.get("b" + i);
      buckets[i] = value == null ? 0 : value.toLong();
    }
    Response sum = hash.get("sum");
    Response count = hash.get("count");
    return new Histogram(buckets, sum == null ? 0 : Double.parseDouble(sum.toString()),
        count == null ? 0 : count.toLong());
  }
}
