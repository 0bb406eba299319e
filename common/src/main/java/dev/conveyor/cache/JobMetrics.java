package dev.conveyor.cache;

import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.Job;
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

  /** A histogram as stored: the count in each bucket (the last one unbounded), the sum and the count. */
  public record Histogram(long[] buckets, double sum, long count) {
  }

  /** Everything {@code /metrics} shows of the jobs. */
  public record Snapshot(Map<String, Long> submitted, Map<String, Long> finished, Map<String, Histogram> durations,
      Map<String, Histogram> queueWaits) {
  }

  private final Redis redis;
  private final String prefix;
  private final Dependency dependency;

  public JobMetrics(Redis redis, RedisKeys keys, Dependency dependency) {
    this.redis = redis;
    this.prefix = keys.namespace() + ":metrics:";
    this.dependency = dependency;
  }

  public Future<Void> submitted(List<Job> jobs) {
    Map<String, Integer> byType = new LinkedHashMap<>();
    jobs.forEach(job -> byType.merge(job.type(), 1, Integer::sum));
    List<Request> requests = new ArrayList<>();
    byType.forEach((type, n) -> requests.add(Request.cmd(Command.HINCRBY).arg(prefix + "submitted").arg(type).arg(n)));
    return batch(requests).mapEmpty();
  }

  /** A job reached a terminal state; {@code attemptStart} is when its last attempt began (null if it never ran). */
  public Future<Void> finished(Job job, Instant attemptStart) {
    List<Request> requests = new ArrayList<>();
    requests.add(Request.cmd(Command.HINCRBY).arg(prefix + "finished").arg(job.type() + " " + job.status().wire())
        .arg(1));
    if (attemptStart != null && job.finishedAt() != null) {
      observe(requests, "duration:" + job.type(), Duration.between(attemptStart, job.finishedAt()));
    }
    return batch(requests).mapEmpty();
  }

  /** A job's first attempt started: how long it waited since it was due. */
  public Future<Void> started(Job job) {
    if (job.attempts() != 1 || job.startedAt() == null) {
      return Future.succeededFuture();
    }
    Instant due = job.runAt() != null && job.runAt().isAfter(job.createdAt()) ? job.runAt() : job.createdAt();
    List<Request> requests = new ArrayList<>();
    observe(requests, "wait:" + job.type(), Duration.between(due, job.startedAt()));
    return batch(requests).mapEmpty();
  }

  private Future<List<Response>> batch(List<Request> requests) {
    return dependency.call(() -> redis.batch(requests));
  }

  private void observe(List<Request> requests, String histogram, Duration value) {
    double seconds = Math.max(0, value.toNanos() / 1e9);
    int bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) {
      bucket++;
    }
    String key = prefix + histogram;
    requests.add(Request.cmd(Command.HINCRBY).arg(key).arg("b" + bucket).arg(1));
    requests.add(Request.cmd(Command.HINCRBYFLOAT).arg(key).arg("sum").arg(Double.toString(seconds)));
    requests.add(Request.cmd(Command.HINCRBY).arg(key).arg("count").arg(1));
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
