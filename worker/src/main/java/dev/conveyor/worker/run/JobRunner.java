package dev.conveyor.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.deps.Outages;
import dev.conveyor.handler.JobCancelled;
import dev.conveyor.handler.JobFailure;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobError;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.Json;
import dev.conveyor.trace.TraceContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the job named by one Kafka record: claim it (queued → running, under this worker's lease), run its handler
 * on a handler thread, write the outcome. PostgreSQL writes are retried until they succeed. A job's slot stays taken
 * until its handler's thread has returned, whatever ended the attempt first (the handler, its timeout, a stop), so
 * the bound on concurrency holds and attempt N+1 never starts while attempt N still runs. A handler that ignores
 * both its stop flag and the interrupt for {@code handlerStopMs} is reported as {@link Wedged}.
 */
public final class JobRunner {
  private static final Logger LOG = Logger.getLogger(JobRunner.class.getName());
  private static final long WRITE_RETRY_FIRST_MS = 100;
  private static final long WRITE_RETRY_MAX_MS = 5_000;
  /** A wedged attempt's retry is due no sooner than this, well after its worker has exited. */
  private static final long WEDGED_RETRY_DELAY_MS = 5_000;

  /**
   * How a claim settled for the record: its job is claimed here, or is not ours to run (the record is no longer
   * needed either way), or waits for room under its type's limit (the record is kept).
   */
  public enum Release { CLAIMED, SKIPPED, OVER_LIMIT }

  /**
   * What the consumer waits for: the claim settled (and what that means for the record), the job's slot is free (its
   * handler's thread has returned, or no handler ran), and the outcome is written.
   */
  public record Run(Future<Release> released, Future<Void> slotFreed, Future<Void> finished) {
    static Run done() {
      return new Run(Future.succeededFuture(Release.SKIPPED), Future.succeededFuture(), Future.succeededFuture());
    }
  }

  /** A handler still running past its hard deadline, with the outcome already decided for its attempt. */
  public record Wedged(Job job, Outcome outcome) {
  }

  /** One attempt in progress. Only the runner's context completes its promises; the thread field is guarded. */
  private static final class Attempt {
    final RunContext context;
    final Promise<Outcome> outcome = Promise.promise();
    final Promise<Void> returned = Promise.promise();
    private Thread thread;
    private boolean over;

    Attempt(RunContext context) {
      this.context = context;
    }

    synchronized boolean began(Thread current) {
      thread = current;
      return !over;
    }

    synchronized void ended() {
      thread = null;
      over = true;
    }

    synchronized void interrupt() {
      over = true;
      if (thread != null) {
        thread.interrupt();
      }
    }
  }

  private final Context context;
  private final HandlerRegistry handlers;
  private final StatusWriter writer;
  private final ExecutorService threads;
  private final long handlerStopMs;
  /** The work in progress here per job, from claim to written outcome. Only the runner's context touches it. */
  private final Map<UUID, Future<Void>> active = new HashMap<>();
  /** Jobs with a record set aside while they were in progress here: once that work ends, each is looked at again. */
  private final Set<UUID> setAside = new HashSet<>();
  /** Jobs this process holds a lease for and still runs: the heartbeat renews these, and no others. */
  private final Set<UUID> held = ConcurrentHashMap.newKeySet();
  private final Map<UUID, Attempt> running = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  /** Set while this worker's leases may be lost: claims are handed back until they are renewed. */
  private volatile boolean handingBack;
  /** Set for good once the worker is stopping: claims are handed back whatever the leases do. */
  private volatile boolean closing;
  private volatile Consumer<Wedged> onWedged = wedged -> { };

  public JobRunner(Vertx vertx, HandlerRegistry handlers, StatusWriter writer, ExecutorService threads,
      long handlerStopMs) {
    this.context = vertx.getOrCreateContext();
    this.handlers = handlers;
    this.writer = writer;
    this.threads = threads;
    this.handlerStopMs = handlerStopMs;
  }

  public void onWedged(Consumer<Wedged> listener) {
    this.onWedged = listener;
  }

  /**
   * Starts the work for one record; {@code source} names the record (topic-partition@offset) in logs, and
   * {@code traceparent} is the record's trace context (null if it came with none).
   */
  public Run run(String key, String value, String source, String traceparent) {
    Optional<UUID> id = JobIds.parse(key);
    String type = typeOf(value);
    if (id.isEmpty() || type == null) {
      LOG.warning("skipping record " + source + ": it names no job (key " + abbreviate(key) + ", value "
          + abbreviate(value) + ")");
      return Run.done();
    }
    Optional<JobHandler> handler = handlers.get(type);
    if (handler.isEmpty()) {
      LOG.severe("skipping record " + source + " of job " + id.get() + ": its type '" + type
          + "' is not one this worker runs");
      return Run.done();
    }
    Promise<Release> released = Promise.promise();
    Promise<Void> slotFreed = Promise.promise();
    Promise<Void> finished = Promise.promise();
    context.runOnContext(v -> {
      if (active.containsKey(id.get())) {
        // A second record for a job in progress here: set aside at once (it holds no slot and no offset), and the
        // job is looked at again when that work ends, so a record that mattered is owed anew, never lost.
        setAside.add(id.get());
        released.complete(Release.SKIPPED);
        slotFreed.complete();
        finished.complete();
        return;
      }
      long claimAskedNanos = System.nanoTime();
      Future<StatusWriter.Claim> claimed = claim(id.get(), type);
      claimed.map(claim -> claim.overLimit() ? Release.OVER_LIMIT
          : claim.job().isPresent() ? Release.CLAIMED : Release.SKIPPED).onComplete(released);
      Future<Void> work = claimed.compose(claim -> claim.job().isEmpty() ? Future.succeededFuture()
          : runClaimed(claim.job().get(), handler.get(), slotFreed, traceparent, claimAskedNanos));
      active.put(id.get(), work);
      work.onComplete(ar -> {
        slotFreed.tryComplete();
        context.runOnContext(done -> ended(id.get()));
      }).onComplete(finished);
    });
    return new Run(released.future(), slotFreed.future(), finished.future());
  }

  /** The work on a job is over: if a record for it was set aside meanwhile, make sure the job is not left waiting. */
  private void ended(UUID id) {
    active.remove(id);
    if (setAside.remove(id)) {
      durably("record owed again for job " + id, () -> writer.oweIfQueued(id));
    }
  }

  /** Stops retrying writes; for the very end of a worker's life. */
  public void stop() {
    stopping = true;
  }

  /** A client asked to cancel this job: if it runs here, its handler sees the flag at its next check. */
  public void cancelRequested(UUID id) {
    Attempt attempt = running.get(id);
    if (attempt != null) {
      attempt.context.requestCancel();
    }
  }

  /**
   * Ends every running attempt and starts no other until {@link #resume}: each job goes back to the queue without
   * using an attempt (or ends cancelled, if a cancel was asked) once its handler has returned; its handler is told to
   * stop (flag and interrupt). A job claimed meanwhile is handed back at once. For a worker that may have lost its
   * leases.
   */
  public void interruptAll() {
    handingBack = true;
    context.runOnContext(v -> running.values()
        .forEach(attempt -> stop(attempt, RunContext.Stop.WORKER_STOPPING, new Outcome.Interrupted())));
  }

  /** As {@link #interruptAll}, for good: for a worker that is stopping. */
  public void handBackAll() {
    closing = true;
    interruptAll();
  }

  /** Starts handlers again, once the leases are renewed (unless the worker is stopping). */
  public void resume() {
    handingBack = false;
  }

  /** The jobs whose leases this worker must keep renewing. */
  public Collection<UUID> held() {
    return List.copyOf(held);
  }

  /** Handler threads that have not returned yet, whatever their attempt's outcome. */
  public long handlersRunning() {
    return running.values().stream().filter(a -> !a.returned.future().isComplete()).count();
  }

  /** Writes a wedged attempt's outcome, its retry due only after this worker has long exited. */
  public Future<Optional<Job>> abandon(Wedged wedged) {
    return durably("outcome of wedged job " + wedged.job().id(),
        () -> writer.finish(wedged.job(), wedged.outcome(), WEDGED_RETRY_DELAY_MS, JobMetrics.HandlerRun.UNKNOWN));
  }

  public int running() {
    return running.size();
  }

  /** A claim whose answer was lost may have committed: before claiming again, ask whether the job is ours. */
  private Future<StatusWriter.Claim> claim(UUID id, String type) {
    return writer.claim(id, type).recover(err -> retryClaim(id, type, err, WRITE_RETRY_FIRST_MS));
  }

  private Future<StatusWriter.Claim> retryClaim(UUID id, String type, Throwable err, long pauseMs) {
    if (stopping) {
      return Future.failedFuture(err);
    }
    logRetry("claim of job " + id, err, pauseMs);
    return pause(pauseMs)
        .compose(v -> writer.heldByUs(id))
        .compose(held -> held.isPresent() ? Future.succeededFuture(new StatusWriter.Claim(held, false))
            : writer.claim(id, type))
        .recover(again -> retryClaim(id, type, again, Math.min(WRITE_RETRY_MAX_MS, pauseMs * 2)));
  }

  /** Runs the attempt, then writes its outcome; the slot is free once the handler's thread has returned. */
  private Future<Void> runClaimed(Job job, JobHandler handler, Promise<Void> slotFreed, String traceparent,
      long claimAskedNanos) {
    held.add(job.id());
    // The handler's run is a span of the job's trace of its own, a child of the record's.
    RunContext runContext = new RunContext(job, writer::progress, context.owner(),
        TraceContext.continueOrStart(traceparent), claimAskedNanos);
    Future<Outcome> outcome = handingBack || closing ? Future.succeededFuture(new Outcome.Interrupted())
        : attempt(handler, runContext);
    outcome.onComplete(ar -> slotFreed.tryComplete());
    return outcome
        .compose(ended -> durably("outcome of job " + job.id(),
            () -> writer.finish(job, ended, 0, runContext.handlerRun())))
        .<Void>mapEmpty()
        .onComplete(ar -> held.remove(job.id()));
  }

  private Future<Outcome> attempt(JobHandler handler, RunContext runContext) {
    Job job = runContext.job();
    Attempt attempt = new Attempt(runContext);
    running.put(job.id(), attempt);
    try {
      threads.execute(() -> {
        Outcome result = attempt.began(Thread.currentThread())
            ? execute(handler, runContext) : new Outcome.Interrupted();
        attempt.ended();
        Thread.interrupted();
        context.runOnContext(v -> {
          attempt.outcome.tryComplete(result);
          attempt.returned.complete();
        });
      });
    } catch (RejectedExecutionException shutDown) {
      attempt.outcome.tryComplete(new Outcome.Interrupted());
      attempt.returned.complete();
    }
    OptionalLong timeout = job.timeoutMs() != null ? OptionalLong.of(job.timeoutMs()) : handler.defaultTimeoutMs();
    if (timeout.isPresent()) {
      long timer = context.owner().setTimer(timeout.getAsLong(), t -> stop(attempt, RunContext.Stop.TIMED_OUT,
          new Outcome.Failed(new JobError("timeout", "the attempt ran longer than " + timeout.getAsLong() + " ms"))));
      attempt.returned.future().onComplete(ar -> context.owner().cancelTimer(timer));
    }
    return attempt.returned.future()
        .compose(v -> attempt.outcome.future())
        .compose(outcome -> runContext.settled().map(outcome))
        .onComplete(ar -> running.remove(job.id(), attempt));
  }

  /**
   * Decides the attempt's outcome unless its handler already returned, and tells the handler to stop. If its thread
   * has not returned by the hard deadline, the attempt is wedged.
   */
  private void stop(Attempt attempt, RunContext.Stop reason, Outcome outcome) {
    if (!attempt.outcome.tryComplete(outcome)) {
      return;
    }
    attempt.context.stop(reason);
    attempt.interrupt();
    long deadline = context.owner().setTimer(handlerStopMs, t -> {
      if (!attempt.returned.future().isComplete()) {
        onWedged.accept(new Wedged(attempt.context.job(), outcome));
      }
    });
    attempt.returned.future().onComplete(ar -> context.owner().cancelTimer(deadline));
  }

  private static Outcome execute(JobHandler handler, RunContext context) {
    try {
      context.handlerStarted();
      JsonNode result = handler.run(context);
      return new Outcome.Succeeded(result == null ? Json.object() : result);
    } catch (JobCancelled e) {
      if (context.clientCancelled()) {
        return new Outcome.Cancelled();
      }
      return context.cancelRequested() ? new Outcome.Interrupted()
          : new Outcome.Failed(new JobError("handler_error", "the handler stopped as cancelled, but no cancel was asked"));
    } catch (JobFailure e) {
      return new Outcome.Failed(new JobError(e.code(), e.getMessage()));
    } catch (InterruptedException e) {
      return new Outcome.Failed(new JobError("interrupted", "the attempt was interrupted"));
    } catch (Throwable e) {
      LOG.log(Level.FINE, "job " + context.jobId() + " failed", e);
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Outcome.Failed(new JobError("handler_error", message));
    } finally {
      context.handlerReturned();
    }
  }

  /** Retries a store write with growing pauses until it succeeds or the worker stops. */
  private <T> Future<T> durably(String what, Supplier<Future<T>> write) {
    return retry(what, write, WRITE_RETRY_FIRST_MS);
  }

  private <T> Future<T> retry(String what, Supplier<Future<T>> write, long pauseMs) {
    return write.get().recover(err -> {
      if (stopping) {
        return Future.failedFuture(err);
      }
      logRetry(what, err, pauseMs);
      return pause(pauseMs).compose(v -> retry(what, write, Math.min(WRITE_RETRY_MAX_MS, pauseMs * 2)));
    });
  }

  /** An outage is logged by its dependency, once; anything else is worth a line each time. */
  private static void logRetry(String what, Throwable err, long pauseMs) {
    LOG.log(Outages.isOutage(err) ? Level.FINE : Level.WARNING,
        "writing the " + what + " failed, retrying in " + pauseMs + " ms: " + err.getMessage());
  }

  private Future<Void> pause(long ms) {
    Promise<Void> pause = Promise.promise();
    context.owner().setTimer(ms, t -> pause.complete());
    return pause.future();
  }

  private static String typeOf(String value) {
    try {
      JsonNode node = Json.parse(value);
      return node.path("type").isTextual() ? node.get("type").textValue() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String abbreviate(String text) {
    return text == null ? "null" : text.length() <= 80 ? text : text.substring(0, 80) + "…";
  }
}
