package dev.conveyor.api.limits;

import dev.conveyor.api.http.Problem;
import dev.conveyor.batch.OnCaller;
import dev.conveyor.store.JobStore;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cap on a tenant's queued jobs. Counting in PostgreSQL costs time in proportion to the backlog (a quarter of a
 * second for half a million queued jobs), so the count is read once a second per tenant only while it is near the
 * cap (at least half of it) or once this process has accepted an eighth of the cap since, and every
 * {@link #REFRESH_FAR_MS} otherwise; the jobs this process accepted since are added to it. Several API processes may
 * together overshoot by what each accepts between two reads.
 *
 * <p>The same count tells whether a tenant has a backlog: at least {@code backlogAt} queued jobs. Its new jobs then
 * go to the backlog lane of their type, behind other tenants' fresh jobs, so one tenant's backlog never sits in front
 * of everybody else's new work. Near that mark the count is read once a second too.
 */
public final class QueueQuota {
  private static final long REFRESH_NEAR_MS = 1_000;
  private static final long REFRESH_FAR_MS = 10_000;

  private record Count(long queued, long readAt, AtomicLong acceptedSince) {
  }

  private final JobStore store;
  private final TenantLimits limits;
  private final long backlogAt;
  private final ConcurrentHashMap<String, Future<Count>> counts = new ConcurrentHashMap<>();

  public QueueQuota(JobStore store, TenantLimits limits, long backlogAt) {
    this.store = store;
    this.limits = limits;
    this.backlogAt = backlogAt;
  }

  /**
   * Succeeds if {@code adding} more queued jobs fit the tenant's cap (and counts them), with how many of them come
   * before the tenant's backlog: the first jobs up to {@code backlogAt} queued go to the fresh lane, the rest to the
   * backlog lane. Else fails with a 429.
   */
  public Future<Integer> admit(String tenant, int adding) {
    return OnCaller.context(count(tenant)).compose(count -> {
      long max = limits.of(tenant).maxQueued();
      if (count.queued() + count.acceptedSince().get() + adding > max) {
        return Future.failedFuture(Problem.of(429, "queue-quota", "Queued-jobs quota reached",
            "This tenant may have at most " + max + " queued jobs; retry once some have started.")
            .withHeader("Retry-After", "1"));
      }
      long before = count.acceptedSince().getAndAdd(adding) + count.queued();
      return Future.succeededFuture((int) Math.max(0, Math.min(adding, backlogAt - before)));
    });
  }

  private boolean fresh(String tenant, Count count) {
    long max = limits.of(tenant).maxQueued();
    long accepted = count.acceptedSince().get();
    // Near the cap, or after accepting an eighth of it unseen by the other processes, or near the backlog mark (a
    // steady stream must not look like a backlog for long): read again soon.
    long queued = count.queued() + accepted;
    boolean near = 2 * queued >= max || 8 * accepted >= max || (2 * queued >= backlogAt && queued <= 4 * backlogAt);
    return System.currentTimeMillis() - count.readAt() < (near ? REFRESH_NEAR_MS : REFRESH_FAR_MS);
  }

  private Future<Count> count(String tenant) {
    Future<Count> current = counts.get(tenant);
    if (current != null && !current.failed() && (!current.isComplete() || fresh(tenant, current.result()))) {
      return current;
    }
    Future<Count> fresh = store.queuedCount(tenant)
        .map(queued -> new Count(queued, System.currentTimeMillis(), new AtomicLong()));
    counts.put(tenant, fresh);
    return fresh;
  }
}
