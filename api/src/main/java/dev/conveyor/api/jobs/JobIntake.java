package dev.conveyor.api.jobs;

import dev.conveyor.api.http.Problem;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.deps.Dependency;
import dev.conveyor.deps.Outages;
import dev.conveyor.jobs.Job;
import dev.conveyor.queue.OutboxRelay;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.OutboxStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Accepts new jobs durably: job rows, their outbox rows and the idempotency key (if any) in one transaction
 * (shared with concurrent submits when there is no key, see {@link GroupCommit}), then an immediate send. Once this
 * succeeds the jobs will reach Kafka even if the send fails or this process dies. A repeated idempotent request gets
 * the jobs it created the first time.
 */
public final class JobIntake {
  private static final Logger LOG = Logger.getLogger(JobIntake.class.getName());
  /** How long the direct send has before the relay's sweep takes over a fresh row. */
  private static final long DIRECT_SEND_GRACE_MS = 5_000;
  /** How long an answer waits for Kafka's acknowledgement of its records before it goes anyway. */
  private static final long SEND_WAIT_MS = 1_000;

  /** An {@code Idempotency-Key} and the hash of the request that carries it. */
  public record IdempotencyKey(String key, String requestHash) {
  }

  /** The accepted jobs (their current state on a replay). */
  public record Accepted(List<Job> jobs, boolean replayed) {
  }

  /** What the transaction did: stored new jobs (and owes their records), or found the key's earlier jobs. */
  private record Outcome(List<OutboxStore.Entry> owed, List<UUID> replayOf) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Dependency postgresql;
  private final String namespace;
  private final GroupCommit group;
  private final JobStore store;
  private final OutboxRelay relay;
  private final JobMetrics metrics;
  private final Consumer<List<Job>> onAccepted;

  /** @param onAccepted told of the jobs of each accepted submit (not of replays), on the caller's thread */
  public JobIntake(Vertx vertx, Pool pool, Dependency postgresql, String namespace, JobStore store, OutboxRelay relay,
      JobMetrics metrics, Consumer<List<Job>> onAccepted) {
    this.vertx = vertx;
    this.pool = pool;
    this.postgresql = postgresql;
    this.namespace = namespace;
    this.group = new GroupCommit(pool, postgresql, namespace);
    this.store = store;
    this.relay = relay;
    this.metrics = metrics;
    this.onAccepted = onAccepted;
  }

  /**
   * @param idempotency null when the request carries no key
   * @param fresh how many of the jobs, from the first, go to the fresh lane; the rest, which come once the tenant has
   *     a backlog, go to the backlog lane
   */
  public Future<Accepted> accept(String tenant, List<Job> jobs, IdempotencyKey idempotency, int fresh) {
    Instant now = Instant.now();
    Instant sweepAfter = now.plusMillis(DIRECT_SEND_GRACE_MS);
    List<Instant> dueAts = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      boolean later = job.runAt() != null && job.runAt().isAfter(now);
      dueAts.add(later ? job.runAt() : sweepAfter);
    }
    Future<Outcome> stored = idempotency == null
        ? group.store(jobs, dueAts, fresh).map(owed -> new Outcome(owed, null))
        : postgresql.call(() -> pool.withTransaction(conn -> storeOnce(conn, tenant, jobs, dueAts, idempotency,
            fresh)));
    return stored.recover(JobIntake::refused)
        .compose(outcome -> {
          if (outcome.replayOf() != null) {
            return store.findAll(outcome.replayOf()).map(found -> new Accepted(found, true));
          }
          List<OutboxStore.Entry> dueNow = new ArrayList<>(jobs.size());
          for (int i = 0; i < jobs.size(); i++) {
            if (dueAts.get(i) == sweepAfter) {
              dueNow.add(outcome.owed().get(i));
            }
          }
          metrics.submitted(jobs).onFailure(err -> LOG.log(Level.FINE, "cannot count submitted jobs", err));
          onAccepted.accept(jobs);
          return sentOrLate(relay.sendNow(dueNow)).map(new Accepted(jobs, false));
        });
  }

  /**
   * The answer waits for Kafka's acknowledgement of the records (so a 202 normally means committed and sent), but
   * never long: the jobs are committed with their outbox rows, so the relay sends whatever this send did not.
   */
  private Future<Void> sentOrLate(Future<Void> sent) {
    if (sent.isComplete()) {
      return Future.succeededFuture();
    }
    Promise<Void> answered = Promise.promise();
    long timer = vertx.setTimer(SEND_WAIT_MS, t -> answered.tryComplete());
    sent.onComplete(ar -> {
      vertx.cancelTimer(timer);
      answered.tryComplete();
    });
    return answered.future();
  }

  /** One request's jobs in the transaction that holds its key. */
  private Future<Outcome> storeOnce(SqlConnection conn, String tenant, List<Job> jobs, List<Instant> dueAts,
      IdempotencyKey idempotency, int fresh) {
    return IdempotentRequests.once(conn, tenant, idempotency,
            () -> JobStore.insert(conn, namespace, jobs, dueAts, pastFresh(jobs, fresh)::contains),
            owed -> jobs.stream().map(Job::id).toList())
        .map(outcome -> new Outcome(outcome.done(), outcome.replayOf()));
  }

  /** The jobs after the first {@code fresh}: those bound for the backlog lane. */
  static Set<Job> pastFresh(List<Job> jobs, int fresh) {
    Set<Job> past = Collections.newSetFromMap(new IdentityHashMap<>());
    past.addAll(jobs.subList(Math.min(fresh, jobs.size()), jobs.size()));
    return past;
  }

  /**
   * A value PostgreSQL refuses (a number out of range, say) is the request's fault: 422, nothing stored. Anything else
   * is ours: 503, nothing half-created, come back later.
   */
  private static <T> Future<T> refused(Throwable err) {
    if (err instanceof Problem) {
      return Future.failedFuture(err);
    }
    if (Outages.isRefusedValue(err)) {
      return Future.failedFuture(Problem.of(422, "unstorable-payload", "Payload cannot be stored",
          "A value of the job cannot be stored: " + Outages.refusal(err) + ". Nothing was created."));
    }
    LOG.log(Outages.isOutage(err) ? Level.FINE : Level.WARNING, "cannot store jobs", err);
    return Future.failedFuture(Problem.of(503, "store-unavailable", "Service unavailable",
        "The job cannot be stored durably right now. Retry later; with an Idempotency-Key a retry never makes a "
            + "second job.").withHeader("Retry-After", "2"));
  }
}
