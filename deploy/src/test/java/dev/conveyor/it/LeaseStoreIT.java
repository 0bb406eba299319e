package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.Config;
import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobError;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Priority;
import dev.conveyor.jobs.Progress;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.store.Database;
import dev.conveyor.store.JobStore;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Leases in PostgreSQL, statement by statement: claim, settling a lost claim, renewal, and the reaper's verdicts. */
@ExtendWith(TestStack.class)
class LeaseStoreIT {
  private static final String NAMESPACE = "leasestore";
  private static Pool pool;
  private static JobStore store;

  @BeforeAll
  static void openDatabase() {
    TestStack.admin("DROP DATABASE IF EXISTS conveyor_it_leases WITH (FORCE)");
    Map<String, String> env = new HashMap<>(TestStack.env());
    env.put("CONVEYOR_PG_URL", "postgresql://postgres@127.0.0.1:5432/conveyor_it_leases");
    pool = TestStack.await(Database.open(TestStack.vertx(), Config.from(env)));
    store = new JobStore(pool, new Dependency(TestStack.vertx(), "postgresql", 0));
  }

  @AfterAll
  static void closeDatabase() {
    TestStack.await(pool.close());
  }

  private static Job insert(int maxAttempts) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    ObjectNode payload = Json.object().put("n", 1);
    Job job = new Job(JobIds.next(), "alpha", "noop", JobStatus.QUEUED, Priority.NORMAL, payload, null, 0, maxAttempts,
        null, null, null, now, null, now, null, null, null, false, 1, null);
    TestStack.await(JobStore.insert(pool, NAMESPACE, List.of(job), List.of(now), j -> false));
    // What these tests count is what the store owes once the relay has sent the job's record.
    return sent(job);
  }

  private static io.vertx.core.Future<Optional<Job>> claim(UUID id, String workerId, String owner, long leaseMs) {
    return store.claimAll(List.of(id), workerId, owner, leaseMs).map(claimed -> claimed.get(0));
  }

  private static io.vertx.core.Future<Optional<Job>> succeed(JobStore.Attempt attempt, String result) {
    return store.succeedAll(List.of(new JobStore.Success(attempt, result))).map(done -> done.get(0));
  }

  @Test
  void progressIsDatedWhenItWasReportedNeverBeforeTheLastChange() throws InterruptedException {
    Job job = insert(3);
    Job claimed = TestStack.await(claim(job.id(), "w", "w/owner", 30_000)).orElseThrow();
    Thread.sleep(400);
    JobStore.Attempt attempt = new JobStore.Attempt(job.id(), claimed.attempts(), "w/owner");
    Job held = TestStack.await(store.progress(attempt, new Progress(20, "held back"), 300, -1))
        .orElseThrow();
    Instant now = Instant.now();
    assertTrue(held.updatedAt().isBefore(now.minusMillis(250)), "dated 300 ms back: " + held.updatedAt() + " at " + now);
    assertFalse(held.updatedAt().isBefore(claimed.updatedAt()), "never before the claim");
    Job later = TestStack.await(store.progress(attempt, new Progress(30, "old"), 60_000, -1))
        .orElseThrow();
    assertEquals(held.updatedAt(), later.updatedAt(), "a report older than the last change keeps its time");
    assertEquals(held.version() + 1, later.version());
  }

  @Test
  void progressDatesTheAttemptsStartWhenItsHandlerBeganByItsLeastDelayedReport() throws InterruptedException {
    Job job = insert(3);
    Job claimed = TestStack.await(claim(job.id(), "w", "w/owner", 30_000)).orElseThrow();
    assertTrue(Math.abs(java.time.Duration.between(claimed.updatedAt(), claimed.attemptStartedAt()).toMillis()) <= 1,
        "claimed: the attempt starts at the claim");
    assertNull(claimed.handlerStartedAt(), "its handler's start is not known yet");
    Thread.sleep(500);
    JobStore.Attempt attempt = new JobStore.Attempt(job.id(), claimed.attempts(), "w/owner");
    long firstAt = System.nanoTime();
    Job first = TestStack.await(store.progress(attempt, new Progress(10, "ran 300 ms"), 0, 300)).orElseThrow();
    long sinceClaimMs = java.time.Duration.between(claimed.attemptStartedAt(), first.handlerStartedAt()).toMillis();
    assertTrue(sinceClaimMs >= 150 && sinceClaimMs <= 350,
        "the handler began about 200 ms after the claim: " + sinceClaimMs + " ms");
    assertEquals(claimed.startedAt(), first.startedAt(), "the job's start, as the API shows it, stays");
    assertEquals(claimed.attemptStartedAt(), first.attemptStartedAt(), "and so does the claim's");
    Thread.sleep(200);
    long sinceFirstMs = (System.nanoTime() - firstAt) / 1_000_000;
    Job earlier = TestStack.await(store.progress(attempt, new Progress(20, "dated 100 ms earlier"), 0,
        300 + sinceFirstMs + 100)).orElseThrow();
    long movedMs = java.time.Duration.between(earlier.handlerStartedAt(), first.handlerStartedAt()).toMillis();
    assertTrue(movedMs >= 60 && movedMs <= 140, "a report whose write was less delayed dates it earlier: " + movedMs);
    Job later = TestStack.await(store.progress(attempt, new Progress(30, "dated later"), 0, 10)).orElseThrow();
    assertEquals(earlier.handlerStartedAt(), later.handlerStartedAt(), "but never later once a report has dated it");
    Job unknown = TestStack.await(store.progress(attempt, new Progress(40, "no running time"), 0, -1)).orElseThrow();
    assertEquals(earlier.handlerStartedAt(), unknown.handlerStartedAt(),
        "a report without its running time moves nothing");
    assertEquals(earlier.handlerStartedAt(), TestStack.await(store.find(job.id())).orElseThrow().handlerStartedAt(),
        "read back as stored");
    expireLease(job.id());
    TestStack.await(store.reapExpiredLeases(NAMESPACE, 100));
    Job again = TestStack.await(claim(job.id(), "w", "w/again", 30_000)).orElseThrow();
    assertNull(again.handlerStartedAt(), "a new attempt's handler has not reported yet");
  }

  @Test
  void oneStatementClaimsManyAndAnswersEachInOrder() {
    Job first = insert(3);
    Job taken = insert(3);
    Job later = insert(3);
    TestStack.await(claim(taken.id(), "other", "other/owner", 30_000));
    TestStack.await(pool.preparedQuery("UPDATE jobs SET due_at = now() + interval '1 hour' WHERE id = $1")
        .execute(Tuple.of(later.id())));
    List<Optional<Job>> claimed = TestStack.await(store.claimAll(List.of(later.id(), first.id(), taken.id()), "w",
        "w/many", 30_000));
    assertEquals(3, claimed.size());
    assertTrue(claimed.get(0).isEmpty(), "not due yet");
    assertEquals(first.id(), claimed.get(1).orElseThrow().id());
    assertEquals("w/many", row(first.id()).getString(2));
    assertTrue(claimed.get(2).isEmpty(), "already taken by another worker");
    assertEquals("other/owner", row(taken.id()).getString(2));
  }

  private static Job insertOfType(String type) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Job job = new Job(JobIds.next(), "alpha", type, JobStatus.QUEUED, Priority.NORMAL, Json.object(), null, 0, 3,
        null, null, null, now, null, now, null, null, null, false, 1, null);
    TestStack.await(JobStore.insert(pool, NAMESPACE, List.of(job), List.of(now), j -> false));
    return job;
  }

  @Test
  void runningJobsAreCountedPerTypeWithHowLongTheyHaveRunAndTheLengthTheirProgressPointsAt()
      throws InterruptedException {
    String type = "running-" + JobIds.next();
    Job first = insertOfType(type);
    Thread.sleep(200);
    Job second = insertOfType(type);
    insertOfType(type);
    TestStack.await(claim(first.id(), "w", "w/running", 30_000));
    Thread.sleep(300);
    TestStack.await(claim(second.id(), "w", "w/running", 30_000));
    JobStore.Running running = TestStack.await(store.runningByType(NAMESPACE)).get(type);
    assertEquals(2, running.count(), "the queued third is not running");
    assertTrue(running.longestMs() >= 300, "the first has run 300 ms: " + running);
    assertTrue(running.longestMs() - running.shortestMs() >= 250, "the second started 300 ms later: " + running);
    assertEquals(0, running.lengthMs(), "no progress reported, no length known: " + running);
    assertEquals(JobStore.FirstAttempts.NONE, running.firstAttempts(), "none reported: nothing of their first"
        + " attempts");

    // The first's handler began 100 ms after its claim and is 25 % through 100 ms later: 100 + 400 ms long.
    Job claimedFirst = TestStack.await(store.find(first.id())).orElseThrow();
    long sinceClaim = java.time.Duration.between(claimedFirst.attemptStartedAt(), Instant.now()).toMillis();
    TestStack.await(store.progress(new JobStore.Attempt(first.id(), 1, "w/running"), new Progress(25, "a quarter"),
        0, sinceClaim - 100));
    Job reported = TestStack.await(store.find(first.id())).orElseThrow();
    long expected = java.time.Duration.between(reported.attemptStartedAt(), reported.handlerStartedAt()).toMillis()
        + java.time.Duration.between(reported.handlerStartedAt(), reported.updatedAt()).toMillis() * 4;
    JobStore.Running oneReported = TestStack.await(store.runningByType(NAMESPACE)).get(type);
    long length = oneReported.lengthMs();
    assertTrue(Math.abs(length - expected) <= 5 && expected > sinceClaim, "the length its progress rate points at, "
        + expected + " ms: " + length);
    JobStore.FirstAttempts one = oneReported.firstAttempts();
    long firstDueAgo = java.time.Duration.between(first.createdAt(), Instant.now()).toMillis();
    assertEquals(1, one.reported(), "one first attempt reported: " + one);
    assertTrue(Math.abs(one.lengthMs() - length) <= 1 && one.shortLengthMs() == one.lengthMs()
        && one.longLengthMs() == one.lengthMs(), "one length known: every percentile of it: " + one);
    assertTrue(one.earliestDueMs() == one.latestDueMs() && one.earliestDueMs() <= firstDueAgo
        && one.earliestDueMs() >= firstDueAgo - 100, "due when the first was, " + firstDueAgo + " ms ago: " + one);

    // The second reports the moment its handler began, which gives no rate: it is as long as it has run, at least.
    TestStack.await(store.progress(new JobStore.Attempt(second.id(), 1, "w/running"), new Progress(25, "at once"),
        0, 0));
    Thread.sleep(200);
    Job secondReported = TestStack.await(store.find(second.id())).orElseThrow();
    long ranMs = java.time.Duration.between(secondReported.attemptStartedAt(), Instant.now()).toMillis();
    JobStore.Running bothReported = TestStack.await(store.runningByType(NAMESPACE)).get(type);
    long median = bothReported.lengthMs();
    assertTrue(median >= (expected + ranMs) / 2 - 5 && median <= (expected + ranMs) / 2 + 50,
        "the median of " + expected + " ms and the " + ranMs + " ms the second has run: " + median);
    long shorter = Math.min(expected, ranMs);
    long apart = Math.abs(expected - ranMs);
    JobStore.FirstAttempts both = bothReported.firstAttempts();
    assertEquals(2, both.reported(), "two first attempts reported: " + both);
    assertTrue(Math.abs(both.shortLengthMs() - (shorter + apart / 10)) <= 50
        && Math.abs(both.longLengthMs() - (shorter + apart * 9 / 10)) <= 50,
        "the 10th and 90th percentiles of " + expected + " and " + ranMs + " ms: " + both);
    long dueApart = java.time.Duration.between(first.createdAt(), second.createdAt()).toMillis();
    assertTrue(Math.abs(both.earliestDueMs() - both.latestDueMs() - dueApart) <= 2,
        "the second was due " + dueApart + " ms after the first: " + both);
    assertFalse(TestStack.await(store.runningByType("elsewhere")).containsKey(type), "another namespace's count");
  }

  @Test
  void queuedJobsAreCountedWithTheirWaitAtEachTenthOldestFirst() throws InterruptedException {
    String type = "tenths-" + JobIds.next();
    insertOfType(type);
    Thread.sleep(400);
    insertOfType(type);
    insertOfType(type);
    JobStore.Queued queued = TestStack.await(store.queuedByTypeAndPriority(NAMESPACE, 1_000)).get(type)
        .get(Priority.NORMAL);
    List<Long> tenths = queued.waitTenthsMs();
    assertEquals(3, queued.count());
    assertEquals(11, tenths.size(), "the oldest's wait, each tenth's, the youngest's: " + tenths);
    assertEquals(queued.oldestWaitMs(), tenths.get(0), 1, "the oldest first: " + queued);
    assertTrue(tenths.get(0) - tenths.get(10) >= 390, "the youngest came 400 ms later: " + tenths);
    assertEquals(tenths.get(10), tenths.get(5), 50, "the median is one of the two queued together: " + tenths);
    for (int i = 1; i < tenths.size(); i++) {
      assertTrue(tenths.get(i) <= tenths.get(i - 1), "oldest first: " + tenths);
    }
  }

  @Test
  void aRunningJobThatReportedItsEndIsAsLongAsThatReportSaysHoweverLongItsOutcomeWaits()
      throws InterruptedException {
    String type = "reported-end-" + JobIds.next();
    Job job = insertOfType(type);
    TestStack.await(claim(job.id(), "w", "w/ended", 30_000));
    Thread.sleep(100);
    Job claimed = TestStack.await(store.find(job.id())).orElseThrow();
    long sinceClaim = java.time.Duration.between(claimed.attemptStartedAt(), Instant.now()).toMillis();
    TestStack.await(store.progress(new JobStore.Attempt(job.id(), 1, "w/ended"), new Progress(100, "done"), 0,
        sinceClaim));
    Job reported = TestStack.await(store.find(job.id())).orElseThrow();
    long reportedLength = java.time.Duration.between(reported.attemptStartedAt(), reported.updatedAt()).toMillis();
    Thread.sleep(300);
    JobStore.Running running = TestStack.await(store.runningByType(NAMESPACE)).get(type);
    assertTrue(running.longestMs() >= reportedLength + 300, "it has run on, its outcome not written: " + running);
    assertTrue(Math.abs(running.lengthMs() - reportedLength) <= 5, "as long as its report of 100 % says, "
        + reportedLength + " ms, not as long as it has been running: " + running);
  }

  @Test
  void aClaimUnderATypeLimitTakesOnlyTheRoomLeftAndNamesTheJobsThatWait() {
    List<UUID> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(insertOfType("limited.store").id());
    }
    JobStore.LimitedClaim first = TestStack.await(store.claimWithin(NAMESPACE, "limited.store", 2, ids, "w",
        "w/limit", 30_000));
    assertTrue(first.claimed().get(0).isPresent() && first.claimed().get(1).isPresent(), "the first two, in order");
    assertTrue(first.claimed().subList(2, 5).stream().allMatch(Optional::isEmpty));
    assertEquals(java.util.Set.copyOf(ids.subList(2, 5)), first.overLimit());

    TestStack.await(store.cancelQueued(ids.get(4)));
    JobStore.LimitedClaim full = TestStack.await(store.claimWithin(NAMESPACE, "limited.store", 2, ids.subList(2, 5),
        "w", "w/limit", 30_000));
    assertTrue(full.claimed().stream().allMatch(Optional::isEmpty), "no room while two run");
    assertEquals(java.util.Set.copyOf(ids.subList(2, 4)), full.overLimit(), "a cancelled job is not waiting");

    // Room for one more: two claims at once, each for another job, and only one of them gets it.
    List<JobStore.LimitedClaim> racing = TestStack.await(io.vertx.core.Future.all(
        store.claimWithin(NAMESPACE, "limited.store", 3, List.of(ids.get(2)), "a", "a/limit", 30_000),
        store.claimWithin(NAMESPACE, "limited.store", 3, List.of(ids.get(3)), "b", "b/limit", 30_000))
        .map(both -> List.of(both.<JobStore.LimitedClaim>resultAt(0), both.<JobStore.LimitedClaim>resultAt(1))));
    assertEquals(1, racing.stream().filter(c -> c.claimed().get(0).isPresent()).count(), "the limit holds: " + racing);
    assertEquals(1, racing.stream().filter(c -> c.overLimit().size() == 1).count());
    assertEquals(3L, TestStack.await(pool.preparedQuery("SELECT count(*) FROM jobs WHERE type = 'limited.store' "
        + "AND status = 'running'").execute()).iterator().next().getLong(0));
  }

  @Test
  void theReconcilerResendsOnlyJobsLeftQueuedAndUntouchedSinceItNotedThem() {
    String type = "reconcile.store";
    Job untouched = sent(insertOfType(type));
    Job owed = insertOfType(type);
    Job notDue = sent(insertOfType(type));
    TestStack.await(pool.preparedQuery("UPDATE jobs SET due_at = now() + interval '1 hour' WHERE id = $1")
        .execute(Tuple.of(notDue.id())));
    Job claimedSince = sent(insertOfType(type));
    Job owedSince = sent(insertOfType(type));
    Job retriedSince = sent(insertOfType(type));

    List<JobStore.Seen> noted = TestStack.await(store.queuedWithoutRecord(NAMESPACE, List.of(type),
        Instant.now().plusSeconds(1), 100));
    assertEquals(java.util.Set.of(untouched.id(), claimedSince.id(), owedSince.id(), retriedSince.id()),
        noted.stream().map(JobStore.Seen::id).collect(java.util.stream.Collectors.toSet()),
        "queued and due, with no record owed: the one still owed its record and the one not due are not suspects");
    assertTrue(TestStack.await(store.queuedWithoutRecord(NAMESPACE, List.of(type), Instant.now().minusSeconds(60),
        100)).isEmpty(), "none was due that long ago");

    TestStack.await(claim(claimedSince.id(), "w", "w/reconcile", 30_000));
    TestStack.await(store.oweIfQueued(List.of(owedSince.id())));
    Job retried = TestStack.await(claim(retriedSince.id(), "w", "w/reconcile", 30_000)).orElseThrow();
    TestStack.await(store.requeue(new JobStore.Attempt(retried.id(), retried.attempts(), "w/reconcile"),
        new JobError("boom", "again"), true, 0));
    sent(retried);

    assertEquals(List.of(untouched.id()), TestStack.await(store.resendUnchanged(NAMESPACE, noted)),
        "a job claimed, owed a record or requeued since it was noted had its record; the untouched one is lost");
    assertEquals(1L, row(untouched.id()).getLong(5), "its record is owed again");
    assertEquals(List.of(), TestStack.await(store.resendUnchanged(NAMESPACE, noted)), "and only once");
  }

  /** As once the relay has sent the job's record. */
  private static Job sent(Job job) {
    TestStack.await(pool.preparedQuery("DELETE FROM job_outbox WHERE job_id = $1").execute(Tuple.of(job.id())));
    return job;
  }

  @Test
  void oneStatementStoresManyJobsEachWithItsOwnOutboxRowAndDueTime() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<Job> jobs = new java.util.ArrayList<>();
    List<Instant> dues = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      jobs.add(new Job(JobIds.next(), "alpha", i % 2 == 0 ? "noop" : "sleep", JobStatus.QUEUED,
          i == 0 ? Priority.HIGH : Priority.NORMAL,
          Json.object().put("n", i), null, 0, 3, null, null, null, now, null, now, null, null, null, false, 1, null));
      dues.add(now.plusSeconds(60L * (i + 1)));
    }
    List<dev.conveyor.store.OutboxStore.Entry> owed = TestStack.await(JobStore.insert(pool, NAMESPACE, jobs, dues,
        j -> j == jobs.get(3)));
    assertEquals(5, owed.size());
    for (int i = 0; i < 5; i++) {
      assertEquals(jobs.get(i).id(), owed.get(i).jobId(), "entries in the order of the jobs");
      assertEquals(new JobQueue(jobs.get(i).type(), i == 0 ? Priority.HIGH : Priority.NORMAL, i == 3),
          owed.get(i).queue(), "each record bound for its type, priority and lane");
      Row outbox = TestStack.await(pool.preparedQuery("SELECT o.due_at, j.status FROM job_outbox o JOIN jobs j "
          + "ON j.id = o.job_id WHERE o.id = $1").execute(Tuple.of(owed.get(i).id()))).iterator().next();
      assertEquals(dues.get(i), outbox.getOffsetDateTime(0).toInstant(), "each row due when its job said");
      assertEquals("queued", outbox.getString(1));
    }
  }

  @Test
  void aClaimSkipsAJobAnotherTransactionHoldsInsteadOfWaitingForIt() {
    Job held = insert(3);
    Job free = insert(3);
    TestStack.await(pool.withTransaction(conn -> conn.preparedQuery("SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(held.id()))
        .compose(locked -> store.claimAll(List.of(held.id(), free.id()), "w", "w/skip", 30_000))
        .map(claimed -> {
          assertTrue(claimed.get(0).isEmpty(), "the held job is skipped, not waited for");
          assertTrue(claimed.get(1).isPresent());
          return claimed;
        })));
    assertEquals("queued", row(held.id()).getString(0), "and stays queued for a later claim");
    assertTrue(TestStack.await(claim(held.id(), "w", "w/skip", 30_000)).isPresent());
  }

  @Test
  void oneStatementStoresManyResultsAndSkipsAttemptsThatAreOver() {
    Job a = insert(3);
    Job b = insert(3);
    Job claimedA = TestStack.await(claim(a.id(), "w", "w/results", 30_000)).orElseThrow();
    Job claimedB = TestStack.await(claim(b.id(), "w", "w/results", 30_000)).orElseThrow();
    JobStore.Attempt attemptB = new JobStore.Attempt(b.id(), claimedB.attempts(), "w/results");
    expireLease(b.id());
    TestStack.await(store.reapExpiredLeases(NAMESPACE, 10));
    List<Optional<Job>> done = TestStack.await(store.succeedAll(List.of(
        new JobStore.Success(attemptB, "{\"b\":2}"),
        new JobStore.Success(new JobStore.Attempt(a.id(), claimedA.attempts(), "w/results"), "{\"a\":1}"))));
    assertTrue(done.get(0).isEmpty(), "B's attempt was reaped: its late result changes nothing");
    assertEquals(JobStatus.SUCCEEDED, done.get(1).orElseThrow().status());
    assertEquals(1, done.get(1).get().result().get("a").asInt());
    assertEquals("queued", row(b.id()).getString(0));
  }

  private static Row row(UUID id) {
    return TestStack.await(pool.preparedQuery("SELECT status, attempts, lease_owner, lease_until, error_code, "
        + "(SELECT count(*) FROM job_outbox o WHERE o.job_id = j.id) FROM jobs j WHERE id = $1").execute(Tuple.of(id)))
        .iterator().next();
  }

  private static void expireLease(UUID id) {
    TestStack.await(pool.preparedQuery("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = $1")
        .execute(Tuple.of(id)));
  }

  @Test
  void aClaimWhoseAnswerWasLostIsFoundAgainByItsOwnerOnly() {
    Job job = insert(3);
    Optional<Job> claimed = TestStack.await(claim(job.id(), "w1", "w1/owner-a", 30_000));
    assertTrue(claimed.isPresent());
    assertEquals(1, claimed.get().attempts());
    assertTrue(TestStack.await(claim(job.id(), "w1", "w1/owner-a", 30_000)).isEmpty(),
        "a second claim takes nothing and spends no attempt");
    assertEquals(1, TestStack.await(store.heldBy(job.id(), "w1/owner-a", 30_000)).orElseThrow().attempts(),
        "the owner retrying a claim gets its own job back");
    assertTrue(TestStack.await(store.heldBy(job.id(), "w1/owner-b", 30_000)).isEmpty(), "another process does not");
    assertEquals(1, row(job.id()).getInteger(1));
    expireLease(job.id());
    assertTrue(TestStack.await(store.heldBy(job.id(), "w1/owner-a", 30_000)).isEmpty(),
        "a lease run out is the reapers', even for its owner");
  }

  @Test
  void aLateWriteOfAnAttemptWhoseNumberWasReusedChangesNothing() {
    Job job = insert(3);
    Job first = TestStack.await(claim(job.id(), "a", "a/owner", 30_000)).orElseThrow();
    JobStore.Attempt byA = new JobStore.Attempt(job.id(), first.attempts(), "a/owner");
    TestStack.await(store.requeue(byA, new JobError("interrupted", "handed back"), false, 0));
    Job second = TestStack.await(claim(job.id(), "b", "b/owner", 30_000)).orElseThrow();
    assertEquals(first.attempts(), second.attempts(), "a handed-back attempt does not count, so its number returns");
    assertTrue(TestStack.await(store.requeue(byA, new JobError("interrupted", "retried write"), false, 0)).isEmpty(),
        "a retry of A's hand-back must not requeue B's attempt");
    assertTrue(TestStack.await(succeed(byA, "{}")).isEmpty());
    assertEquals("running", row(job.id()).getString(0));
    assertEquals("b/owner", row(job.id()).getString(2));
  }

  @Test
  void aFailureOnTheLastAttemptAfterACancelEndsCancelled() {
    Job job = insert(1);
    Job claimed = TestStack.await(claim(job.id(), "w", "w/last", 30_000)).orElseThrow();
    TestStack.await(store.requestCancel(job.id()));
    Job ended = TestStack.await(store.end(new JobStore.Attempt(job.id(), claimed.attempts(), "w/last"),
        JobStatus.FAILED, new JobError("timeout", "too slow"))).orElseThrow();
    assertEquals(JobStatus.CANCELLED, ended.status());
  }

  @Test
  void aRecordBeforeTheJobIsDueGetsItsRecordOwedAgainOnce() {
    Job job = insert(3);
    Job claimed = TestStack.await(claim(job.id(), "w", "w/early", 30_000)).orElseThrow();
    TestStack.await(store.requeue(new JobStore.Attempt(job.id(), claimed.attempts(), "w/early"),
        new JobError("boom", "later"), true, 60_000));
    TestStack.await(pool.preparedQuery("DELETE FROM job_outbox WHERE job_id = $1").execute(Tuple.of(job.id())));
    assertEquals(List.of(job.id()), TestStack.await(store.oweIfQueued(List.of(job.id()))),
        "owed again, for when it is due");
    assertTrue(TestStack.await(store.oweIfQueued(List.of(job.id()))).isEmpty(), "but only once");
    assertEquals(1L, row(job.id()).getLong(5));
  }

  @Test
  void oneStatementRenewsEveryLeaseOfAnOwner() {
    Job first = insert(3);
    Job second = insert(3);
    Job other = insert(3);
    TestStack.await(claim(first.id(), "w2", "w2/renew", 1_000));
    TestStack.await(claim(second.id(), "w2", "w2/renew", 1_000));
    TestStack.await(claim(other.id(), "w3", "w3/other", 1_000));
    Instant before = row(first.id()).getOffsetDateTime(3).toInstant();
    List<UUID> all = List.of(first.id(), second.id(), other.id());
    assertEquals(2, TestStack.await(store.renewLeases("w2/renew", all, 60_000)));
    assertTrue(row(first.id()).getOffsetDateTime(3).toInstant().isAfter(before.plusSeconds(50)));
    assertTrue(row(second.id()).getOffsetDateTime(3).toInstant().isAfter(before.plusSeconds(50)));
    assertTrue(row(other.id()).getOffsetDateTime(3).toInstant().isBefore(before.plusSeconds(5)), "not another's");
    assertEquals(0, TestStack.await(store.renewLeases("w9/nobody", all, 60_000)));
  }

  @Test
  void aLeaseItsWorkerNoLongerRunsOrThatRanOutIsNotRenewed() {
    Job unknown = insert(3);
    Job expired = insert(3);
    TestStack.await(claim(unknown.id(), "w", "w/orphans", 1_000));
    TestStack.await(claim(expired.id(), "w", "w/orphans", 30_000));
    expireLease(expired.id());
    assertEquals(0, TestStack.await(store.renewLeases("w/orphans", List.of(expired.id()), 60_000)),
        "a lease run out stays out: the reapers take the job");
    assertEquals(0, TestStack.await(store.renewLeases("w/orphans", List.of(), 60_000)),
        "a claim that committed unknown to its worker is not kept alive by its heartbeat");
  }

  @Test
  void anExpiredLeaseSpendsTheAttemptAndQueuesTheJobWithItsRecordOwed() {
    Job job = insert(3);
    TestStack.await(claim(job.id(), "w4", "w4/dead", 30_000));
    assertTrue(TestStack.await(store.reapExpiredLeases(NAMESPACE, 100)).stream().noneMatch(j -> j.id().equals(job.id())),
        "a live lease is left alone");
    expireLease(job.id());
    List<Job> reaped = TestStack.await(store.reapExpiredLeases(NAMESPACE, 100));
    Job requeued = reaped.stream().filter(j -> j.id().equals(job.id())).findFirst().orElseThrow();
    assertEquals(JobStatus.QUEUED, requeued.status());
    assertEquals("worker_lost", requeued.error().code());
    Row row = row(job.id());
    assertEquals(1, row.getInteger(1), "the lost attempt counts");
    assertEquals(null, row.getString(2), "no owner while queued");
    assertEquals(1L, row.getLong(5), "the record that brings it back is owed");
    assertTrue(TestStack.await(store.reapExpiredLeases("another", 100)).stream().noneMatch(j -> j.id().equals(job.id())));
    assertTrue(TestStack.await(claim(job.id(), "w5", "w5/next", 30_000)).isPresent(), "claimable again");
  }

  @Test
  void anExpiredLeaseOnTheLastAttemptEndsFailedAndACancelEndsCancelled() {
    Job last = insert(1);
    Job cancelled = insert(3);
    TestStack.await(claim(last.id(), "w6", "w6/dead", 30_000));
    TestStack.await(claim(cancelled.id(), "w6", "w6/dead", 30_000));
    TestStack.await(store.requestCancel(cancelled.id()));
    expireLease(last.id());
    expireLease(cancelled.id());
    TestStack.await(store.reapExpiredLeases(NAMESPACE, 100));
    Row failed = row(last.id());
    assertEquals("failed", failed.getString(0));
    assertEquals("worker_lost", failed.getString(4));
    assertEquals(0L, failed.getLong(5), "nothing owed for a finished job");
    Row ended = row(cancelled.id());
    assertEquals("cancelled", ended.getString(0), "a cancel asked before the requeue is final");
    assertEquals(0L, ended.getLong(5));
  }

  @Test
  void aRequeueAfterACancelRequestEndsCancelledAndNeverQueued() {
    Job job = insert(3);
    Job claimed = TestStack.await(claim(job.id(), "w7", "w7/owner", 30_000)).orElseThrow();
    TestStack.await(store.requestCancel(job.id()));
    Job after = TestStack.await(store.requeue(new JobStore.Attempt(job.id(), claimed.attempts(), "w7/owner"),
        new JobError("timeout", "too slow"), true, 0)).orElseThrow();
    assertEquals(JobStatus.CANCELLED, after.status());
    assertFalse(after.finishedAt() == null);
    assertEquals(0L, row(job.id()).getLong(5), "no record owed: it will never run again");
  }

  @Test
  void aClaimBeforeTheJobIsDueTakesNothing() {
    Job job = insert(3);
    Job claimed = TestStack.await(claim(job.id(), "w8", "w8/owner", 30_000)).orElseThrow();
    TestStack.await(store.requeue(new JobStore.Attempt(job.id(), claimed.attempts(), "w8/owner"),
        new JobError("boom", "retry later"), true, 60_000));
    assertTrue(TestStack.await(claim(job.id(), "w8", "w8/owner", 30_000)).isEmpty(),
        "an early duplicate record changes nothing; the record owed comes when the backoff ends");
    assertEquals("queued", row(job.id()).getString(0));
  }
}
