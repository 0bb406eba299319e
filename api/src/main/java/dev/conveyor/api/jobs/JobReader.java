package dev.conveyor.api.jobs;

import dev.conveyor.cache.JobCache;
import dev.conveyor.jobs.Job;
import dev.conveyor.store.JobStore;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.UUID;

/** Reads a tenant's job: Redis when cached, else PostgreSQL (then cached). Another tenant's job is absent. */
public final class JobReader {
  private final JobCache cache;
  private final JobStore store;

  public JobReader(JobCache cache, JobStore store) {
    this.cache = cache;
    this.store = store;
  }

  public Future<Optional<Job>> find(String tenant, UUID id) {
    return cache.get(id)
        .recover(err -> Future.succeededFuture(Optional.empty()))
        .compose(cached -> cached.isPresent()
            ? Future.succeededFuture(cached)
            : store.find(id).onSuccess(found -> found.ifPresent(job -> cache.fill(job))))
        .map(job -> job.filter(j -> j.tenant().equals(tenant)));
  }
}
