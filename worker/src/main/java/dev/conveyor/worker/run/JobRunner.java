package dev.conveyor.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.JobCancelled;
import dev.conveyor.handler.JobFailure;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobError;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.Json;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the job named by one Kafka record: claim it (queued → running), run its handler on a handler thread,
 * write the outcome. PostgreSQL writes are retried until they succeed, so the record's offset is only released
 * once the job's state is durable; a record whose job is no longer queued is simply done.
 */
public final class JobRunner {
  private static final Logger LOG = Logger.getLogger(JobRunner.class.getName());
  private static final long RELEASE_DELAY_MS = 5_000;
  private static final long WRITE_RETRY_MAX_MS = 5_000;

  private final Vertx vertx;
  private final HandlerRegistry handlers;
  private final StatusWriter writer;
  private final ExecutorService threads;
  private final Map<UUID, Attempt> running = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  /** One attempt in progress: its context, its thread's task and the outcome the first finisher sets. */
  private record Attempt(RunContext context, java.util.concurrent.Future<?> task, Promise<Outcome> outcome) {
  }

  public JobRunner(Vertx vertx, HandlerRegistry handlers, StatusWriter writer, ExecutorService threads) {
    this.vertx = vertx;
    this.handlers = handlers;
    this.writer = writer;
    this.threads = threads;
  }

  /** Completes when the record needs no more work from this worker. */
  public Future<Void> run(String key, String value) {
    Optional<UUID> id = JobIds.parse(key);
    String type = typeOf(value);
    if (id.isEmpty() || type == null) {
      LOG.warning("skipping a record that names no job: key=" + key);
      return Future.succeededFuture();
    }
    Optional<JobHandler> handler = handlers.get(type);
    if (handler.isEmpty()) {
      LOG.warning("job " + id.get() + " has type '" + type + "' which this worker does not run; handing it back");
      return durably(() -> writer.release(id.get(), type, RELEASE_DELAY_MS));
    }
    return durably(() -> writer.claim(id.get()))
        .compose(claimed -> claimed.isEmpty()
            ? Future.succeededFuture()
            : attempt(claimed.get(), handler.get())
                .compose(outcome -> durably(() -> writer.finish(claimed.get(), outcome)))
                .mapEmpty());
  }

  public void stop() {
    stopping = true;
  }

  /** A client asked to cancel this job: if it runs here, its handler sees the flag at its next check. */
  public void cancelRequested(UUID id) {
    Attempt attempt = running.get(id);
    if (attempt != null) {
      attempt.context().requestCancel();
    }
  }

  /**
   * Ends every running attempt now: each job goes back to the queue without using an attempt, and its handler
   * is told to stop (cancel flag and thread interrupt). For a worker that is shutting down.
   */
  public void interruptAll() {
    for (Attempt attempt : running.values()) {
      attempt.context().workerStopping();
      if (attempt.outcome().tryComplete(new Outcome.Interrupted())) {
        attempt.task().cancel(true);
      }
    }
  }

  private Future<Outcome> attempt(Job job, JobHandler handler) {
    RunContext context = new RunContext(job, writer);
    Promise<Outcome> outcome = Promise.promise();
    java.util.concurrent.Future<?> task;
    try {
      task = threads.submit(() -> outcome.tryComplete(execute(handler, context)));
    } catch (RejectedExecutionException e) {
      return Future.succeededFuture(new Outcome.Interrupted());
    }
    Attempt attempt = new Attempt(context, task, outcome);
    running.put(job.id(), attempt);
    outcome.future().onComplete(ar -> running.remove(job.id(), attempt));
    if (job.timeoutMs() != null) {
      long timer = vertx.setTimer(job.timeoutMs(), t -> {
        if (outcome.tryComplete(new Outcome.Failed(new JobError("timeout",
            "the attempt ran longer than " + job.timeoutMs() + " ms")))) {
          task.cancel(true);
        }
      });
      outcome.future().onComplete(ar -> vertx.cancelTimer(timer));
    }
    return outcome.future().compose(done -> context.settled().map(done));
  }

  private static Outcome execute(JobHandler handler, RunContext context) {
    try {
      JsonNode result = handler.run(context);
      return new Outcome.Succeeded(result == null ? Json.object() : result);
    } catch (JobCancelled e) {
      return context.clientCancelled() ? new Outcome.Cancelled() : new Outcome.Interrupted();
    } catch (JobFailure e) {
      return new Outcome.Failed(new JobError(e.code(), e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome.Failed(new JobError("interrupted", "the attempt was interrupted"));
    } catch (Throwable e) {
      LOG.log(Level.FINE, "job " + context.jobId() + " failed", e);
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Outcome.Failed(new JobError("handler_error", message));
    }
  }

  /** Retries a store write with growing pauses until it succeeds or the worker stops. */
  private <T> Future<T> durably(Supplier<Future<T>> write) {
    return retry(write, 100);
  }

  private <T> Future<T> retry(Supplier<Future<T>> write, long pauseMs) {
    return write.get().recover(err -> {
      if (stopping) {
        return Future.failedFuture(err);
      }
      LOG.log(Level.WARNING, "store write failed, retrying in " + pauseMs + " ms: " + err.getMessage());
      Promise<Void> pause = Promise.promise();
      vertx.setTimer(pauseMs, t -> pause.complete());
      return pause.future().compose(v -> retry(write, Math.min(WRITE_RETRY_MAX_MS, pauseMs * 2)));
    });
  }

  private static String typeOf(String value) {
    try {
      JsonNode node = Json.parse(value);
      return node.path("type").isTextual() ? node.get("type").textValue() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
