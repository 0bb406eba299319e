package dev.conveyor.api.jobs;

import dev.conveyor.api.http.Problem;
import dev.conveyor.deps.Dependency;
import dev.conveyor.deps.Outages;
import dev.conveyor.jobs.Job;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.OutboxStore;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Stores the jobs of concurrent submits together: while a few transactions are in flight, new submits wait and then
 * share the next one, so one commit and its round trips serve many requests under load, and a lone submit waits for
 * nothing. Each request learns its own outbox entries, on its own context, once its jobs are committed. A value
 * PostgreSQL refuses fails a whole transaction, so a refused group is stored again request by request, and only the
 * request that holds the value is refused.
 */
final class GroupCommit {
  private static final int MAX_GROUP_JOBS = 1000;
  private static final int MAX_TRANSACTIONS = 4;
  private static final int MAX_WAITING_JOBS = 20_000;

  private record Request(List<Job> jobs, List<Instant> dueAts, Context context,
      Promise<List<OutboxStore.Entry>> owed) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Dependency postgresql;
  private final String namespace;
  private final ArrayDeque<Request> waiting = new ArrayDeque<>();
  private int waitingJobs;
  private int transactions;

  GroupCommit(Vertx vertx, Pool pool, Dependency postgresql, String namespace) {
    this.vertx = vertx;
    this.pool = pool;
    this.postgresql = postgresql;
    this.namespace = namespace;
  }

  /** Completes with the outbox entries of these jobs, in order, once they are committed. */
  Future<List<OutboxStore.Entry>> store(List<Job> jobs, List<Instant> dueAts) {
    Request request = new Request(jobs, dueAts, vertx.getOrCreateContext(), Promise.promise());
    synchronized (this) {
      if (waitingJobs + jobs.size() > MAX_WAITING_JOBS) {
        return Future.failedFuture(Problem.of(503, "busy", "Service busy",
            "Too many submits are waiting to be stored; nothing was created. Retry shortly.")
            .withHeader("Retry-After", "1"));
      }
      waiting.add(request);
      waitingJobs += jobs.size();
    }
    flush();
    return request.owed().future();
  }

  private void flush() {
    List<Request> group = new ArrayList<>();
    synchronized (this) {
      if (transactions >= MAX_TRANSACTIONS || waiting.isEmpty()) {
        return;
      }
      int size = 0;
      while (!waiting.isEmpty() && (group.isEmpty() || size + waiting.peek().jobs().size() <= MAX_GROUP_JOBS)) {
        Request next = waiting.poll();
        group.add(next);
        size += next.jobs().size();
      }
      waitingJobs -= size;
      transactions++;
    }
    write(group).onComplete(ar -> {
      synchronized (this) {
        transactions--;
      }
      if (ar.failed() && group.size() > 1 && Outages.isRefusedValue(ar.cause())) {
        group.forEach(request -> write(List.of(request)).onComplete(alone -> answer(List.of(request), alone)));
      } else {
        answer(group, ar);
      }
      flush();
    });
  }

  private Future<List<OutboxStore.Entry>> write(List<Request> group) {
    List<Job> jobs = new ArrayList<>();
    List<Instant> dueAts = new ArrayList<>();
    group.forEach(r -> {
      jobs.addAll(r.jobs());
      dueAts.addAll(r.dueAts());
    });
    return postgresql.call(() -> pool.withTransaction(conn -> JobStore.insert(conn, namespace, jobs)
        .compose(v -> OutboxStore.add(conn, namespace, jobs.stream().map(Job::id).toList(),
            jobs.stream().map(Job::type).toList(), dueAts))));
  }

  /** Gives each request its own entries (or the failure), on the context it came from. */
  private static void answer(List<Request> group, AsyncResult<List<OutboxStore.Entry>> result) {
    int from = 0;
    for (Request request : group) {
      int to = from + request.jobs().size();
      List<OutboxStore.Entry> mine = result.succeeded() ? result.result().subList(from, to) : null;
      request.context().runOnContext(v -> {
        if (mine != null) {
          request.owed().complete(mine);
        } else {
          request.owed().fail(result.cause());
        }
      });
      from = to;
    }
  }
}
