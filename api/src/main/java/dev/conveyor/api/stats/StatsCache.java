package dev.conveyor.api.stats;

import dev.conveyor.batch.OnCaller;
import dev.conveyor.jobs.Json;
import dev.conveyor.store.JobStore;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each tenant's {@link Stats}, written out once as JSON and shared by every caller of this process: one computation
 * in flight per tenant, and the next one only after {@link #MIN_AGE_MS}, or {@link #COST_FACTOR} times as long as the
 * last took, whichever is longer. A tenant with 100,000 jobs, half of them from the last hour, costs PostgreSQL about
 * 70 ms for its counts and as much for its hour (measured on the 2-core machine); the wait keeps that to a few per cent
 * of one core however many dashboards are open, while a small tenant sees figures a second old.
 */
final class StatsCache {
  private static final long MIN_AGE_MS = 1_000;
  private static final long COST_FACTOR = 20;
  /** A bound on memory: past it the cache starts afresh (every entry is cheap to make again). */
  private static final int MAX_TENANTS = 10_000;

  /** A computation, in flight or done; it may be served until {@code freshUntil}, set once it is done. */
  private static final class Entry {
    private final Future<String> stats;
    private volatile long freshUntil = Long.MAX_VALUE;

    private Entry(Future<String> stats) {
      this.stats = stats;
    }

    private boolean servable(long now) {
      return !stats.isComplete() || (stats.succeeded() && freshUntil > now);
    }
  }

  private final JobStore jobs;
  private final ConcurrentHashMap<String, Entry> byTenant = new ConcurrentHashMap<>();

  StatsCache(JobStore jobs) {
    this.jobs = jobs;
  }

  Future<String> get(String tenant) {
    long now = System.currentTimeMillis();
    if (byTenant.size() >= MAX_TENANTS) {
      byTenant.clear();
    }
    Entry entry = byTenant.compute(tenant, (t, old) -> old != null && old.servable(now) ? old : compute(t, now));
    return OnCaller.context(entry.stats);
  }

  /** Starts one computation; a failed one is not served again, so the next caller tries anew. */
  private Entry compute(String tenant, long startedAt) {
    Instant asOf = Instant.ofEpochMilli(startedAt);
    long start = asOf.getEpochSecond() - Stats.WINDOW_SECONDS + 1;
    Entry entry = new Entry(Future.all(jobs.countsByTypeAndStatus(tenant), jobs.perSecond(tenant,
            Instant.ofEpochSecond(start)))
        .map(all -> Json.write(new Stats(asOf, all.resultAt(0), start, all.resultAt(1)).toJson())));
    entry.stats.onComplete(done -> {
      long finishedAt = System.currentTimeMillis();
      entry.freshUntil = finishedAt + Math.max(MIN_AGE_MS, COST_FACTOR * (finishedAt - startedAt));
    });
    return entry;
  }
}
