package dev.conveyor.worker.run;

import dev.conveyor.batch.Batcher;
import dev.conveyor.cache.JobCache;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.deps.Outages;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobError;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Progress;
import dev.conveyor.store.JobStore;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes a job's changes: PostgreSQL first (a conditional update), then the Redis copy with its change notice.
 * A write that finds the job no longer in the expected state changes nothing and returns empty. Claims take a lease
 * in the name of this worker process ({@code leaseOwner}), which its heartbeat renews.
 */
public final class StatusWriter {
  private static final Logger LOG = Logger.getLogger(StatusWriter.class.getName());
  /** At most this many statements of a kind in flight; the rest wait and go together. Slots bound what waits. */
  private static final Batcher.Limits BATCHES = new Batcher.Limits(2, 500, 1_000_000);

  /**
   * Where this worker's writes go and how it names itself in them; {@code typeLimits}: the types of which at most so
   * many jobs may run at once in the namespace.
   */
  public record Settings(String namespace, String workerId, String leaseOwner, long leaseMs, long retryBaseMs,
      int maxResultBytes, Map<String, Integer> typeLimits) {
  }

  /** What a claim did: the job, if it is ours to run now; {@code overLimit}: it waits for room under its type's limit. */
  public record Claim(Optional<Job> job, boolean overLimit) {
    static final Claim NOT_OURS = new Claim(Optional.empty(), false);
    static final Claim OVER_LIMIT = new Claim(Optional.empty(), true);
  }

  private final JobStore store;
  private final JobCache cache;
  private final JobMetrics metrics;
  private final Settings settings;
  /** Claims, owed records and successes of concurrent jobs share statements: one round trip and commit for many. */
  private final Batcher<UUID, Optional<Job>> claims;
  /** Claims of each type with a concurrency limit: a statement of their own, which counts the type's running jobs. */
  private final Map<String, Batcher<UUID, Claim>> limitedClaims = new HashMap<>();
  private final Batcher<UUID, Boolean> owed;
  private final Batcher<JobStore.Success, Optional<Job>> successes;

  public StatusWriter(JobStore store, JobCache cache, JobMetrics metrics, Settings settings) {
    this.store = store;
    this.cache = cache;
    this.metrics = metrics;
    this.settings = settings;
    this.claims = Batcher.of("claims", BATCHES,
        ids -> store.claimAll(ids, settings.workerId(), settings.leaseOwner(), settings.leaseMs()));
    settings.typeLimits().forEach((type, limit) -> limitedClaims.put(type, Batcher.of("claims of " + type, BATCHES,
        ids -> store.claimWithin(settings.namespace(), type, limit, ids, settings.workerId(), settings.leaseOwner(),
            settings.leaseMs()).map(done -> {
              List<Claim> claims = new ArrayList<>(ids.size());
              for (int i = 0; i < ids.size(); i++) {
                Optional<Job> job = done.claimed().get(i);
                claims.add(job.isPresent() ? new Claim(job, false)
                    : done.overLimit().contains(ids.get(i)) ? Claim.OVER_LIMIT : Claim.NOT_OURS);
              }
              return claims;
            }))));
    this.owed = Batcher.of("owed records", BATCHES,
        ids -> store.oweIfQueued(ids).map(got -> ids.stream().map(got::contains).toList()));
    this.successes = new Batcher<>("successes", BATCHES, success -> 1, store::succeedAll, Outages::isRefusedValue);
  }

  /**
   * queued → running under a lease; empty when the job is not ours to run (taken, cancelled, done), or when its type
   * has a concurrency limit and no room (the job stays queued and its record waits). A record that came before the
   * job is due (a duplicate, or clocks that disagree) is never just dropped: the job's record is owed again, for when
   * it is due.
   */
  public Future<Claim> claim(UUID id, String type) {
    Batcher<UUID, Claim> limited = limitedClaims.get(type);
    Future<Claim> claim = limited != null ? limited.submit(id)
        : claims.submit(id).map(job -> job.isPresent() ? new Claim(job, false) : Claim.NOT_OURS);
    return claim
        .onSuccess(claimed -> claimed.job().ifPresent(cache::changed))
        .compose(claimed -> claimed.job().isPresent() || claimed.overLimit() ? Future.succeededFuture(claimed)
            : owed.submit(id).map(v -> claimed))
        .onSuccess(claimed -> claimed.job().ifPresent(job -> record(metrics.started(job))));
  }

  /** A queued job with no record owed gets one, due when the job is. */
  public Future<Boolean> oweIfQueued(UUID id) {
    return owed.submit(id);
  }

  /** After a claim whose answer was lost: the job, its lease renewed, if that claim did commit and still holds. */
  public Future<Optional<Job>> heldByUs(UUID id) {
    return store.heldBy(id, settings.leaseOwner(), settings.leaseMs());
  }

  public Future<Optional<Job>> progress(Job job, Progress progress, long ageMs, long runningMs) {
    return announce(store.progress(attempt(job), progress, ageMs, runningMs));
  }

  private JobStore.Attempt attempt(Job job) {
    return new JobStore.Attempt(job.id(), job.attempts(), settings.leaseOwner());
  }

  /**
   * Writes the attempt's outcome; {@code job} is the job as claimed, so its {@code updatedAt} is the attempt's start.
   * A retry is due after the backoff, and not before {@code minDelayMs}. {@code handlerRun}: see
   * {@link JobMetrics#finished(Job, java.time.Instant, JobMetrics.HandlerRun)}.
   */
  public Future<Optional<Job>> finish(Job job, Outcome outcome, long minDelayMs, JobMetrics.HandlerRun handlerRun) {
    return write(job, outcome, minDelayMs).onSuccess(written -> written.filter(j -> j.status().terminal())
        .ifPresent(done -> record(metrics.finished(done, job.updatedAt(), handlerRun))));
  }

  private Future<Optional<Job>> write(Job job, Outcome outcome, long minDelayMs) {
    if (outcome instanceof Outcome.Succeeded s) {
      return succeed(job, s);
    }
    if (outcome instanceof Outcome.Cancelled) {
      return announce(store.end(attempt(job), JobStatus.CANCELLED, null));
    }
    if (outcome instanceof Outcome.Interrupted) {
      return announce(store.requeue(attempt(job), new JobError("interrupted", "the worker stopped during the attempt"),
          false, minDelayMs));
    }
    JobError error = ((Outcome.Failed) outcome).error();
    if (job.attempts() >= job.maxAttempts()) {
      return announce(store.end(attempt(job), JobStatus.FAILED, error));
    }
    long delay = Math.max(minDelayMs, Backoff.delayMs(job.attempts(), settings.retryBaseMs()));
    return announce(store.requeue(attempt(job), error, true, delay));
  }

  /**
   * A result PostgreSQL cannot hold (too large, a NUL character, a number out of range) ends the job failed with a
   * code saying so: the same handler would most likely produce it again, so it is not retried.
   */
  private Future<Optional<Job>> succeed(Job job, Outcome.Succeeded outcome) {
    String result;
    try {
      result = Json.writeStorable(outcome.result());
    } catch (RuntimeException | StackOverflowError unwritable) {
      return announce(store.end(attempt(job), JobStatus.FAILED, new JobError("result_unstorable",
          "the result cannot be written as JSON that reads back: " + unwritable.getMessage())));
    }
    int bytes = result.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > settings.maxResultBytes()) {
      return announce(store.end(attempt(job), JobStatus.FAILED, new JobError("result_too_large",
          "the result has " + bytes + " bytes; at most " + settings.maxResultBytes() + " are kept")));
    }
    return announce(successes.submit(new JobStore.Success(attempt(job), result)).recover(err -> Outages.isRefusedValue(err)
        ? store.end(attempt(job), JobStatus.FAILED, new JobError("result_unstorable",
            "PostgreSQL cannot store the result: " + Outages.refusal(err)))
        : Future.failedFuture(err)));
  }

  private static void record(Future<Void> metric) {
    metric.onFailure(err -> LOG.log(Level.FINE, "cannot record a job metric", err));
  }

  private Future<Optional<Job>> announce(Future<Optional<Job>> change) {
    return change.onSuccess(changed -> changed.ifPresent(cache::changed));
  }
}
