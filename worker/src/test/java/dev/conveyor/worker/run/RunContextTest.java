package dev.conveyor.worker.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.cache.JobMetrics;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Priority;
import dev.conveyor.jobs.Progress;
import dev.conveyor.trace.TraceContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Progress writes of one attempt: spaced, coalesced, and the last one written before the outcome. */
class RunContextTest {
  private final Vertx vertx = Vertx.vertx();
  private final List<Progress> written = new CopyOnWriteArrayList<>();
  private final List<Long> writtenAtNanos = new CopyOnWriteArrayList<>();
  private final List<Long> ages = new CopyOnWriteArrayList<>();
  private final List<Long> runningTimes = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private RunContext context() {
    Job job = new Job(JobIds.next(), "t", "sleep", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 1, 3,
        null, null, null, Instant.now(), Instant.now(), Instant.now(), null, null, null, false, 1, null);
    return new RunContext(job, (j, progress, ageMs, runningMs) -> {
      written.add(progress);
      ages.add(ageMs);
      runningTimes.add(runningMs);
      writtenAtNanos.add(System.nanoTime());
      return Future.succeededFuture(Optional.of(j));
    }, vertx, TraceContext.newRoot(), System.nanoTime());
  }

  @Test
  void aTightLoopOfReportsIsWrittenAtMostEveryGapAndTheLastOneBeforeTheOutcome() throws Exception {
    RunContext context = context();
    long start = System.nanoTime();
    for (int i = 1; i <= 1_000; i++) {
      context.progress(i / 10, "step " + i);
    }
    long loopMs = (System.nanoTime() - start) / 1_000_000;
    context.settled().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    // The first (0 %), the first of some progress (1 %, at once), then one a gap, and the last.
    assertTrue(written.size() <= 3 + loopMs / RunContext.MIN_WRITE_GAP_MS,
        written.size() + " writes for 1,000 reports in " + loopMs + " ms");
    assertEquals(new Progress(1, "step 10"), written.get(1), "the first of some progress, at once");
    assertEquals(new Progress(100, "step 1000"), written.get(written.size() - 1), "the last report, at once");
    for (int i = 2; i < writtenAtNanos.size() - 1; i++) {
      long gapMs = (writtenAtNanos.get(i) - writtenAtNanos.get(i - 1)) / 1_000_000;
      assertTrue(gapMs >= RunContext.MIN_WRITE_GAP_MS - 1, "writes " + gapMs + " ms apart");
    }
  }

  @Test
  void theLagBeforeItsHandlerBeganAndTheShareOfItsHandlersRunAtWhichItFirstReportedAreKnownOnceItReturned()
      throws Exception {
    long claimed = System.nanoTime();
    RunContext reporting = context();
    long claimedBy = System.nanoTime();
    assertEquals(JobMetrics.HandlerRun.UNKNOWN, reporting.handlerRun(), "not run");
    Thread.sleep(60);
    long started = System.nanoTime();
    reporting.handlerStarted();
    long startedBy = System.nanoTime();
    reporting.progress(0, "starting: no progress yet");
    Thread.sleep(40);
    long before = System.nanoTime();
    reporting.progress(5, "first");
    long after = System.nanoTime();
    Thread.sleep(80);
    reporting.progress(50, "second");
    assertEquals(JobMetrics.HandlerRun.UNKNOWN, reporting.handlerRun(), "still running");
    long returned = System.nanoTime();
    reporting.handlerReturned();
    long returnedBy = System.nanoTime();
    JobMetrics.HandlerRun run = reporting.handlerRun();
    long lagNanos = run.claimLag().toNanos();
    assertTrue(lagNanos >= started - claimedBy && lagNanos <= startedBy - claimed, "the 60 ms before it began: "
        + run.claimLag());
    // A third of the way into the handler's run: counted from the claim, it would be under a fifth.
    double share = run.firstReportShare();
    assertTrue(share >= (before - startedBy) / (double) (returnedBy - started)
        && share <= (after - started) / (double) (returned - startedBy), "about a third of the way: " + share);

    RunContext silent = context();
    silent.handlerStarted();
    silent.progress(0, "no progress");
    Thread.sleep(JobMetrics.FIRST_REPORT_MIN_RUN_MS + 5);
    silent.handlerReturned();
    assertEquals(1, silent.handlerRun().firstReportShare(), "never reported any: at its end");

    RunContext brief = context();
    brief.handlerStarted();
    brief.progress(50, "half");
    brief.handlerReturned();
    assertEquals(JobMetrics.HandlerRun.UNKNOWN, brief.handlerRun(), "too short a run to say anything of longer ones");
  }

  @Test
  void theFirstReportOfSomeProgressIsWrittenAtOnceEvenRightAfterAnotherWrite() {
    RunContext context = context();
    context.progress(0, "starting");
    context.progress(10, "first progress");
    assertEquals(List.of(new Progress(0, "starting"), new Progress(10, "first progress")), written,
        "a silent job is read as a long one: its first progress is not held back");
    context.progress(20, "second");
    assertEquals(2, written.size(), "the next one waits for the gap");
  }

  @Test
  void aReportHeldBackIsWrittenByItselfOnceTheGapHasPassed() throws Exception {
    RunContext context = context();
    context.progress(10, "first");
    Thread.sleep(40);
    long reportedAt = System.nanoTime();
    context.progress(20, "second, too soon");
    assertEquals(List.of(new Progress(10, "first")), written);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (written.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(List.of(new Progress(10, "first"), new Progress(20, "second, too soon")), written,
        "written after the gap though the handler reports nothing more");
    long gapMs = (writtenAtNanos.get(1) - writtenAtNanos.get(0)) / 1_000_000;
    assertTrue(gapMs >= RunContext.MIN_WRITE_GAP_MS - 1 && gapMs < 1_000, "after the gap: " + gapMs + " ms");
    assertTrue(ages.get(0) <= 5, "the first report is written as made, " + ages.get(0) + " ms old");
    long heldMs = (writtenAtNanos.get(1) - reportedAt) / 1_000_000;
    assertTrue(Math.abs(ages.get(1) - heldMs) <= 3 && heldMs >= 20,
        "the held report is written with its age since it was made, " + ages.get(1) + " ms (held " + heldMs + " ms)");
  }

  @Test
  void eachReportTellsHowLongTheHandlerHadRunWhenItWasMade() throws Exception {
    RunContext context = context();
    context.progress(5, "before the handler began");
    context.handlerStarted();
    long began = System.nanoTime();
    Thread.sleep(150);
    long reportedAt = System.nanoTime();
    context.progress(10, "150 ms in");
    context.settled().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(2, written.size());
    assertEquals(-1, runningTimes.get(0), "not known before the handler began");
    long ranMs = (reportedAt - began) / 1_000_000;
    assertTrue(Math.abs(runningTimes.get(1) - ranMs) <= 2 && ranMs >= 150,
        "the handler had run " + ranMs + " ms when it reported: " + runningTimes.get(1));
  }
}
