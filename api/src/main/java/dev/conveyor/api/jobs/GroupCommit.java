package dev.conveyor.api.jobs;

import dev.conveyor.api.http.Problem;
import dev.conveyor.batch.Batcher;
import dev.conveyor.deps.Dependency;
import dev.conveyor.deps.Outages;
import dev.conveyor.jobs.Job;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.OutboxStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Stores the jobs of concurrent submits together: while a few statements are in flight, new submits wait and then
 * share the next one (a single statement that commits on its own), so one commit serves many requests under load,
 * and a lone submit waits for nothing. Each request learns its own outbox entries once its jobs are committed. A
 * value PostgreSQL refuses fails the whole statement, so a refused group is stored again request by request, and
 * only the request that holds the value is refused.
 */
final class GroupCommit {
  private static final Batcher.Limits LIMITS = new Batcher.Limits(4, 1000, 20_000);

  private record Request(List<Job> jobs, List<Instant> dueAts, int fresh) {
  }

  private final Pool pool;
  private final Dependency postgresql;
  private final String namespace;
  private final Batcher<Request, List<OutboxStore.Entry>> batcher;

  GroupCommit(Pool pool, Dependency postgresql, String namespace) {
    this.pool = pool;
    this.postgresql = postgresql;
    this.namespace = namespace;
    this.batcher = new Batcher<>("submits", LIMITS, request -> request.jobs().size(), this::write,
        Outages::isRefusedValue);
  }

  /**
   * Completes with the outbox entries of these jobs, in order, once they are committed; the records of the jobs after
   * the first {@code fresh} go to the backlog lane.
   */
  Future<List<OutboxStore.Entry>> store(List<Job> jobs, List<Instant> dueAts, int fresh) {
    return batcher.submit(new Request(jobs, dueAts, fresh)).recover(err -> Future.failedFuture(err instanceof Batcher.Full
        ? Problem.of(503, "busy", "Service busy",
            "Too many submits are waiting to be stored; nothing was created. Retry shortly.")
            .withHeader("Retry-After", "1")
        : err));
  }

  private Future<List<List<OutboxStore.Entry>>> write(List<Request> group) {
    List<Job> jobs = new ArrayList<>();
    List<Instant> dueAts = new ArrayList<>();
    Set<Job> inBacklog = Collections.newSetFromMap(new IdentityHashMap<>());
    group.forEach(r -> {
      jobs.addAll(r.jobs());
      dueAts.addAll(r.dueAts());
      inBacklog.addAll(JobIntake.pastFresh(r.jobs(), r.fresh()));
    });
    return postgresql.call(() -> JobStore.insert(pool, namespace, jobs, dueAts, inBacklog::contains))
        .map(entries -> {
          List<List<OutboxStore.Entry>> perRequest = new ArrayList<>(group.size());
          int from = 0;
          for (Request request : group) {
            perRequest.add(entries.subList(from, from + request.jobs().size()));
            from += request.jobs().size();
          }
          return perRequest;
        });
  }
}
