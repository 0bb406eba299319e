package dev.conveyor.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.handler.JobContext;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.Progress;
import dev.conveyor.jobs.StoredText;
import dev.conveyor.trace.TraceContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link JobContext} of one attempt. Progress reports are coalesced: at most one write is in flight, writes
 * start at least {@link #MIN_WRITE_GAP_MS} apart, and the latest report waiting replaces older ones, so a handler
 * that reports in a tight loop costs no more than one that reports ten times a second. The first report of some
 * progress is written at once (the poll hints read a job's silence as length), and the last as soon as the handler
 * returns, before the outcome. Each write also brings back the job's cancel flag.
 */
final class RunContext implements JobContext {
  private static final int MAX_MESSAGE_CHARS = 1_000;
  static final long MIN_WRITE_GAP_MS = 100;

  /**
   * Where progress goes: the job's row and its copies. {@code ageMs}: how long ago the handler made the report, since
   * a report held back is written later; the job's change time is when it was made. {@code runningMs}: how long the
   * handler had run then (-1 if unknown), which dates its start, later than the claim by the time the attempt took to
   * reach a thread. The poll hints read the progress rate between the two.
   */
  interface ProgressWriter {
    Future<Optional<Job>> progress(Job job, Progress progress, long ageMs, long runningMs);
  }

  /** A report, when it was made (monotonic ns), and how long the handler had run then (-1 if unknown). */
  private record Report(Progress progress, long atNanos, long runningMs) {
  }

  /** Why an attempt was told to stop before its handler returned. */
  enum Stop { NONE, TIMED_OUT, WORKER_STOPPING }

  private final Job job;
  private final ProgressWriter writer;
  private final Vertx vertx;
  private final TraceContext trace;
  private final AtomicReference<Report> waiting = new AtomicReference<>();
  private final AtomicBoolean writing = new AtomicBoolean();
  private final AtomicBoolean cancelRequested;
  private final AtomicReference<Stop> stop = new AtomicReference<>(Stop.NONE);
  private volatile int lastPercent = -1;
  /**
   * When the claim was asked for (monotonic ns): a moment before the claim's own time in PostgreSQL, from which the
   * hints count a running job's age, so the lag to the handler's start is if anything over; and when the handler began
   * (0 until it has).
   */
  private final long claimAskedNanos;
  private volatile long handlerStartNanos;
  /** When the handler made its first report of some progress, and when it returned (monotonic ns), 0 until then. */
  private volatile long firstReportNanos;
  private volatile long handlerEndNanos;
  /** Whether a report of some progress has been written: the first is written at once, whatever the gap. */
  private volatile boolean progressWritten;
  /** When the last write started (monotonic ns), and whether a timer will flush the report waiting. */
  private volatile long lastWriteNanos = System.nanoTime() - MIN_WRITE_GAP_MS * 1_000_000;
  private final AtomicBoolean flushTimerSet = new AtomicBoolean();
  /** Set once the handler returned: what waits is written at once. */
  private volatile boolean settling;
  private Promise<Void> idle;

  RunContext(Job job, ProgressWriter writer, Vertx vertx, TraceContext trace, long claimAskedNanos) {
    this.job = job;
    this.claimAskedNanos = claimAskedNanos;
    this.writer = writer;
    this.vertx = vertx;
    this.trace = trace;
    this.cancelRequested = new AtomicBoolean(job.cancelRequested());
  }

  Job job() {
    return job;
  }

  @Override
  public UUID jobId() {
    return job.id();
  }

  @Override
  public String type() {
    return job.type();
  }

  @Override
  public JsonNode payload() {
    return job.payload();
  }

  @Override
  public String traceparent() {
    return trace.header();
  }

  @Override
  public int attempt() {
    return job.attempts();
  }

  /** Called on the handler's thread just before it runs. */
  void handlerStarted() {
    handlerStartNanos = System.nanoTime();
  }

  /** Called on the handler's thread once it has returned, however it ended. */
  void handlerReturned() {
    handlerEndNanos = System.nanoTime();
  }

  /**
   * How the handler ran, for the poll hints: how long after the claim was asked for it began, and how far into its own
   * run (from its start to its return) it first reported some progress (1 if it never did); unknown if the handler has
   * not run and returned, or ran less than {@link JobMetrics#FIRST_REPORT_MIN_RUN_MS}. The hints learn from them how
   * long a job that has not reported yet still runs. The lag is counted apart since it is the worker's, not the
   * handler's: counted in the share, it made 0.2 s jobs that report at 10 % of their run count as reporting at 16 to
   * 28 %, and every silent job was read before its first report could have come.
   */
  JobMetrics.HandlerRun handlerRun() {
    if (handlerStartNanos == 0 || handlerEndNanos == 0
        || handlerEndNanos - handlerStartNanos < JobMetrics.FIRST_REPORT_MIN_RUN_MS * 1_000_000) {
      return JobMetrics.HandlerRun.UNKNOWN;
    }
    double share = firstReportNanos == 0 ? 1
        : Math.min(1, (firstReportNanos - handlerStartNanos) / (double) (handlerEndNanos - handlerStartNanos));
    return new JobMetrics.HandlerRun(Duration.ofNanos(handlerStartNanos - claimAskedNanos), share);
  }

  @Override
  public synchronized void progress(int percent, String message) {
    int clamped = Math.max(0, Math.min(100, percent));
    if (clamped < lastPercent) {
      return;
    }
    lastPercent = clamped;
    long at = System.nanoTime();
    if (clamped > 0 && firstReportNanos == 0) {
      firstReportNanos = at;
    }
    long runningMs = handlerStartNanos == 0 ? -1 : (at - handlerStartNanos) / 1_000_000;
    waiting.set(new Report(new Progress(clamped, StoredText.clean(message, MAX_MESSAGE_CHARS)), at, runningMs));
    flush();
  }

  @Override
  public boolean cancelRequested() {
    return cancelRequested.get() || stop.get() != Stop.NONE;
  }

  boolean clientCancelled() {
    return cancelRequested.get();
  }

  void requestCancel() {
    cancelRequested.set(true);
  }

  /** Tells the handler to stop, for this reason; the first reason given stands. */
  void stop(Stop reason) {
    stop.compareAndSet(Stop.NONE, reason);
  }

  /** Completes once no progress report is waiting or being written, so the outcome is written after the last one. */
  synchronized Future<Void> settled() {
    settling = true;
    flush();
    if (!writing.get() && waiting.get() == null) {
      return Future.succeededFuture();
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future();
  }

  private synchronized void becameIdle() {
    if (idle != null && !writing.get() && waiting.get() == null) {
      idle.complete();
      idle = null;
    }
  }

  private void flush() {
    if (!writing.compareAndSet(false, true)) {
      return;
    }
    Report next = waiting.getAndSet(null);
    if (next == null) {
      writing.set(false);
      becameIdle();
      return;
    }
    long sinceLastMs = (System.nanoTime() - lastWriteNanos) / 1_000_000;
    boolean firstProgress = !progressWritten && next.progress().percent() > 0;
    if (!settling && !firstProgress && sinceLastMs < MIN_WRITE_GAP_MS) {
      // Too soon after the last write: the report waits (unless a newer one came meanwhile) for a timer.
      waiting.compareAndSet(null, next);
      writing.set(false);
      if (flushTimerSet.compareAndSet(false, true)) {
        vertx.setTimer(Math.max(1, MIN_WRITE_GAP_MS - sinceLastMs), t -> {
          flushTimerSet.set(false);
          flush();
        });
      }
      return;
    }
    lastWriteNanos = System.nanoTime();
    progressWritten |= firstProgress;
    long ageMs = (lastWriteNanos - next.atNanos()) / 1_000_000;
    writer.progress(job, next.progress(), ageMs, next.runningMs()).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().ifPresent(updated -> {
          if (updated.cancelRequested()) {
            cancelRequested.set(true);
          }
        });
      }
      writing.set(false);
      if (waiting.get() != null) {
        flush();
      } else {
        becameIdle();
      }
    });
  }
}
