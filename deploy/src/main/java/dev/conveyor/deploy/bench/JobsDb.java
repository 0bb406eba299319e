package dev.conveyor.deploy.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * What the benchmark reads from PostgreSQL, the source of truth: how many jobs are queued or running, when a drain
 * started and ended, and how long each job waited from its submit to its handler's start.
 */
final class JobsDb implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 30;

  private final Pool pool;

  private JobsDb(Pool pool) {
    this.pool = pool;
  }

  static JobsDb open(Vertx vertx, String url) {
    return new JobsDb(PgBuilder.pool().connectingTo(url).with(new PoolOptions().setMaxSize(2)).using(vertx).build());
  }

  /** Drops the database (the API creates it again on start), closing any session still on it. */
  static void drop(Vertx vertx, String database) throws TimeoutException {
    SqlClient admin = PgBuilder.client().connectingTo("postgresql://postgres@127.0.0.1:5432/postgres").using(vertx)
        .build();
    try {
      await(admin.query("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)").execute());
    } finally {
      await(admin.close());
    }
  }

  /** The tenant's jobs not yet ended. */
  record Active(long queued, long running) {
    long total() {
      return queued + running;
    }
  }

  /** Uses the partial index on queued and running jobs, so polling it costs PostgreSQL little. */
  Active active(String tenant) throws TimeoutException {
    Row row = await(pool.preparedQuery("SELECT count(*) FILTER (WHERE status = 'queued'), "
            + "count(*) FILTER (WHERE status = 'running') FROM jobs "
            + "WHERE tenant = $1 AND status IN ('queued', 'running')")
        .execute(Tuple.of(tenant))).iterator().next();
    return new Active(row.getLong(0), row.getLong(1));
  }

  /** Waits until none of the tenant's jobs is queued or running; fails after {@code limit}. */
  void awaitIdle(String tenant, Duration limit, Duration every) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    Active active;
    while ((active = active(tenant)).total() > 0) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(active.queued() + " jobs still queued and " + active.running()
            + " running after " + limit.toSeconds() + " s");
      }
      Thread.sleep(every.toMillis());
    }
  }

  /**
   * How a set of jobs drained: how many ended succeeded, and the time from the first handler start to the last end,
   * from the jobs' own timestamps (milliseconds, written by the workers).
   */
  record Drain(long jobs, long succeeded, double seconds) {
    double perSecond() {
      return jobs / seconds;
    }
  }

  Drain drain(List<UUID> ids) throws TimeoutException {
    Row row = await(pool.preparedQuery("SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'), "
            + "extract(epoch FROM max(finished_at) - min(started_at))::float8 FROM jobs WHERE id = ANY($1)")
        .execute(Tuple.of((Object) ids.toArray(UUID[]::new)))).iterator().next();
    return new Drain(row.getLong(0), row.getLong(1), row.getDouble(2));
  }

  /**
   * Each started job's wait from submit to handler start ({@code started_at - created_at}, both stamped on this
   * machine's clock and kept to the millisecond), in microseconds. Fails if any of them has not started.
   */
  Histogram startLatencies(List<UUID> ids) throws TimeoutException {
    Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    await(pool.preparedQuery("SELECT (extract(epoch FROM started_at - created_at) * 1000000)::bigint FROM jobs "
            + "WHERE id = ANY($1) AND started_at IS NOT NULL")
        .execute(Tuple.of((Object) ids.toArray(UUID[]::new))))
        // A clock stepped back between the two stamps must not make a negative wait, which no histogram takes.
        .forEach(row -> histogram.recordValue(Math.max(0, row.getLong(0))));
    if (histogram.getTotalCount() != ids.size()) {
      throw new IllegalStateException((ids.size() - histogram.getTotalCount()) + " of " + ids.size()
          + " jobs have not started");
    }
    return histogram;
  }

  private static <T> T await(Future<T> future) throws TimeoutException {
    return future.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws TimeoutException {
    await(pool.close());
  }
}
