package dev.conveyor.api.jobs;

import dev.conveyor.cache.JobCache;
import dev.conveyor.jobs.Job;
import dev.conveyor.store.JobStore;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads a tenant's job: from this process's near-cache when it holds the job, else Redis, else PostgreSQL (then
 * cached in Redis). Another tenant's job is absent.
 */
public final class JobReader {
  private final JobNearCache near;
  private final JobCache cache;
  private final JobStore store;

  public JobReader(JobNearCache near, JobCache cache, JobStore store) {
    this.near = near;
    this.cache = cache;
    this.store = store;
  }

  public Future<Optional<Job>> find(String tenant, UUID id) {
    return near.get(id, () -> fromCacheOrStore(id)).map(job -> job.filter(j -> j.tenant().equals(tenant)));
  }

  /**
   * This process changed the job: its near-cache entry goes at once, not only when the notice comes back, so the
   * caller's next read here sees its own write.
   */
  public void changed(Job job) {
    near.changed(job.id(), job.version());
  }

  private Future<Optional<Job>> fromCacheOrStore(UUID id) {
    return cache.get(id)
        .recover(err -> Future.succeededFuture(Optional.empty()))
        .compose(cached -> cached.isPresent()
            ? Future.succeededFuture(cached)
            : store.find(id).onSuccess(found -> found.ifPresent(job -> cache.fill(job))));
  }
}
