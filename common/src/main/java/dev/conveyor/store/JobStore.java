package dev.conveyor.store;

import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.CallbackState;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobError;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Priority;
import dev.conveyor.jobs.Progress;
import dev.conveyor.jobs.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * All SQL on the {@code jobs} table. Every state change is a conditional update: it names the states it may
 * leave (from {@link JobStatus}'s table of moves) and the attempt it belongs to, so a late or repeated
 * writer changes nothing, and it bumps {@code version}.
 */
public final class JobStore {
  private static final String NOW = "date_trunc('milliseconds', clock_timestamp())";
  private static final String COLUMNS = "id, tenant, type, status, priority, payload::text, progress_percent, "
      + "progress_message, attempts, max_attempts, timeout_ms, run_at, callback_url, created_at, started_at, "
      + "updated_at, finished_at, result::text, error_code, error_message, cancel_requested, version, schedule, "
      + "callback_delivery, callback_attempts, callback_last_status, callback_last_error, callback_delivered_at, "
      + "callback_due_at, attempt_started_at, handler_started_at";
  private static final String CHANGE = "updated_at = " + NOW + ", version = version + 1";
  /**
   * A queued job's place in its queue, sent with its record (see QueueOrder): when it was first due (the API's
   * created_at, as the poll hints date a job), or, once an attempt has queued it again, when it is due now.
   */
  private static final String QUEUED_AT = "CASE WHEN attempts = 0 THEN greatest(run_at, created_at) ELSE due_at END";
  /** What a job weighs on the wire: its payload and result as text. */
  private static final String SIZE = "octet_length(payload::text) + coalesce(octet_length(result::text), 0)";
  /** A change that ends the attempt: its lease goes with it. */
  private static final String ENDED = "lease_owner = NULL, lease_until = NULL, " + CHANGE;

  /** The columns of {@link #COLUMNS}, named by table, for statements that join another row source. */
  private static final String QUALIFIED = Arrays.stream(COLUMNS.split(", ")).map(c -> "jobs." + c)
      .collect(java.util.stream.Collectors.joining(", "));
  private static final String CLAIMABLE = leaving(JobStatus.RUNNING) + " AND NOT cancel_requested AND due_at <= now()";
  private static final String CLAIM = claim("");
  /** As {@link #CLAIM}, for at most $5 of the jobs, taken in the order given. */
  private static final String CLAIM_SOME = claim("ORDER BY array_position($1, id) LIMIT $5");

  /** Locks the attempts still held, in id order (as {@link #renewLeases} does), then stores their results. */
  private static final String SUCCEED = "WITH done AS (SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], "
      + "$4::text[]) AS u(id, attempts, owner, result)), "
      + "held AS (SELECT jobs.id FROM jobs JOIN done ON jobs.id = done.id AND jobs.attempts = done.attempts "
      + "AND jobs.lease_owner = done.owner WHERE jobs.status = 'running' ORDER BY jobs.id FOR NO KEY UPDATE OF jobs) "
      + "UPDATE jobs SET status = 'succeeded', result = done.result::jsonb, "
      + "error_code = NULL, error_message = NULL, finished_at = " + NOW + ", " + ENDED
      + " FROM held JOIN done ON done.id = held.id WHERE jobs.id = held.id RETURNING " + QUALIFIED;
  private static final String INSERT = "WITH added AS (INSERT INTO jobs (id, namespace, tenant, type, status, "
      + "priority, payload, max_attempts, attempt_budget, timeout_ms, run_at, due_at, callback_url, created_at, "
      + "updated_at, schedule, schedule_tick, traceparent) "
      + "SELECT id, $11, tenant, type, 'queued', priority, payload::jsonb, max_attempts, max_attempts, timeout_ms, "
      + "run_at, coalesce(run_at, now()), callback_url, created_at, created_at, schedule, schedule_tick, traceparent "
      + "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[], "
      + "$8::timestamptz[], $9::text[], $10::timestamptz[], $13::text[], $14::timestamptz[], $16::text[]) AS t(id, "
      + "tenant, type, priority, payload, max_attempts, timeout_ms, run_at, callback_url, created_at, schedule, "
      + "schedule_tick, traceparent) "
      + "ON CONFLICT (tenant, schedule, schedule_tick) WHERE schedule IS NOT NULL DO NOTHING "
      + "RETURNING id, " + QUEUED_AT + " AS queued_at) "
      + "INSERT INTO job_outbox (namespace, job_id, type, priority, backlog, due_at, traceparent, queued_at) "
      + "SELECT $11, o.id, o.type, o.priority, o.backlog, o.owed_at, o.traceparent, added.queued_at "
      + "FROM unnest($1::uuid[], $3::text[], $4::text[], $15::boolean[], $12::timestamptz[], $16::text[]) "
      + "AS o(id, type, priority, backlog, owed_at, traceparent) "
      // Only jobs the insert returned get an outbox row (job_outbox has no foreign key to say so).
      + "JOIN added ON added.id = o.id RETURNING " + OutboxStore.RETURNED;

  private final Pool pool;
  private final Dependency postgresql;

  public JobStore(Pool pool, Dependency postgresql) {
    this.pool = pool;
    this.postgresql = postgresql;
  }

  /**
   * Inserts new jobs and their outbox rows (each due at its {@code dueAts} entry) with one statement, so one round
   * trip stores a whole group, and it commits on its own unless {@code conn} is in a transaction. A job is due at
   * its {@code runAt}, else now by the database's clock, the clock every claim is judged by. The record of a job
   * that {@code inBacklog} names goes to its type's backlog lane. Returns the outbox entries in the order of the jobs.
   */
  public static Future<List<OutboxStore.Entry>> insert(SqlClient conn, String namespace, List<Job> jobs,
      List<Instant> dueAts, Predicate<Job> inBacklog) {
    return insert(conn, namespace, jobs, dueAts, null, inBacklog);
  }

  /**
   * As {@link #insert(SqlClient, String, List, List, Predicate)}, for jobs made by schedules: each with the tick it
   * was made for, which a unique index keeps to one job per schedule and tick; a job whose tick has one already is
   * not stored, and its entry is null.
   */
  public static Future<List<OutboxStore.Entry>> insertScheduled(SqlClient conn, String namespace, List<Job> jobs,
      List<Instant> dueAts, List<Instant> scheduleTicks) {
    return insert(conn, namespace, jobs, dueAts, scheduleTicks, job -> false);
  }

  private static Future<List<OutboxStore.Entry>> insert(SqlClient conn, String namespace, List<Job> jobs,
      List<Instant> dueAts, List<Instant> scheduleTicks, Predicate<Job> backlog) {
    int n = jobs.size();
    UUID[] ids = new UUID[n];
    String[] tenants = new String[n];
    String[] types = new String[n];
    String[] priorities = new String[n];
    String[] payloads = new String[n];
    Integer[] maxAttempts = new Integer[n];
    Long[] timeouts = new Long[n];
    OffsetDateTime[] runAts = new OffsetDateTime[n];
    String[] callbacks = new String[n];
    OffsetDateTime[] createdAts = new OffsetDateTime[n];
    OffsetDateTime[] owedAts = new OffsetDateTime[n];
    String[] schedules = new String[n];
    OffsetDateTime[] ticks = new OffsetDateTime[n];
    Boolean[] backlogs = new Boolean[n];
    String[] traces = new String[n];
    for (int i = 0; i < n; i++) {
      Job job = jobs.get(i);
      ids[i] = job.id();
      tenants[i] = job.tenant();
      types[i] = job.type();
      priorities[i] = job.priority().wire();
      payloads[i] = Json.write(job.payload());
      maxAttempts[i] = job.maxAttempts();
      timeouts[i] = job.timeoutMs();
      runAts[i] = job.runAt() == null ? null : job.runAt().atOffset(ZoneOffset.UTC);
      callbacks[i] = job.callbackUrl();
      createdAts[i] = job.createdAt().atOffset(ZoneOffset.UTC);
      owedAts[i] = dueAts.get(i).atOffset(ZoneOffset.UTC);
      schedules[i] = job.schedule();
      ticks[i] = scheduleTicks == null ? null : scheduleTicks.get(i).atOffset(ZoneOffset.UTC);
      backlogs[i] = backlog.test(job);
      traces[i] = job.traceparent();
    }
    return conn.preparedQuery(INSERT)
        .execute(Tuple.of(ids, tenants, types, priorities, payloads, maxAttempts)
            .addArrayOfLong(timeouts).addArrayOfOffsetDateTime(runAts).addArrayOfString(callbacks)
            .addArrayOfOffsetDateTime(createdAts).addString(namespace).addArrayOfOffsetDateTime(owedAts)
            .addArrayOfString(schedules).addArrayOfOffsetDateTime(ticks).addArrayOfBoolean(backlogs)
            .addArrayOfString(traces))
        .map(rows -> {
          java.util.Map<UUID, OutboxStore.Entry> byJob = new java.util.HashMap<>();
          rows.forEach(row -> {
            OutboxStore.Entry entry = OutboxStore.Entry.of(row);
            byJob.put(entry.jobId(), entry);
          });
          return jobs.stream().map(job -> byJob.get(job.id())).toList();
        });
  }

  public Future<Optional<Job>> find(UUID id) {
    return one(query("SELECT " + COLUMNS + " FROM jobs WHERE id = $1", Tuple.of(id)));
  }

  /** The jobs with these ids, in the order given (ids not found are skipped). */
  public Future<List<Job>> findAll(List<UUID> ids) {
    return query("SELECT " + COLUMNS + " FROM jobs WHERE id = ANY($1)", Tuple.of((Object) ids.toArray(UUID[]::new)))
        .map(rows -> inGivenOrder(ids, rows));
  }

  /** The tenant's jobs among these ids, in the order given (ids not found or of another tenant are skipped). */
  public Future<List<Job>> findAll(String tenant, List<UUID> ids) {
    return query("SELECT " + COLUMNS + " FROM jobs WHERE id = ANY($1) AND tenant = $2",
        Tuple.of(ids.toArray(UUID[]::new), tenant))
        .map(rows -> inGivenOrder(ids, rows));
  }

  /**
   * Due queued jobs of one type and priority: how many, how long the oldest of them has been due, and how long they
   * had been due at each tenth of them, oldest first ({@code waitTenthsMs}: the oldest's wait, then the wait that a
   * tenth of them exceed, and so on to the youngest's; empty when not known).
   */
  public record Queued(long count, long oldestWaitMs, List<Long> waitTenthsMs) {
    /** How many waits {@code waitTenthsMs} holds when known: one per percentile the count asks PostgreSQL for. */
    public static final int WAIT_POINTS = 11;

    public Queued {
      waitTenthsMs = List.copyOf(waitTenthsMs);
    }

    /** Queued jobs of which only the oldest's wait is known. */
    public Queued(long count, long oldestWaitMs) {
      this(count, oldestWaitMs, List.of());
    }
  }

  /** The waits at each tenth of a queue, oldest first ({@link Queued#WAIT_POINTS}): percentile 1 is the oldest's. */
  private static final String WAIT_TENTHS = "percentile_cont(ARRAY[1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0])"
      + " WITHIN GROUP (ORDER BY extract(epoch FROM now() - due) * 1000)";

  /** Queued jobs are counted no further than this: past it a queue is deep whatever the exact number. */
  public static final int QUEUED_COUNT_CAP = 50_000;

  /**
   * The namespace's due queued jobs per type and priority, counted over at most {@code cap} of them, so that a deep
   * backlog costs no more than that to count.
   */
  public Future<java.util.Map<String, java.util.Map<Priority, Queued>>> queuedByTypeAndPriority(String namespace,
      int cap) {
    return query("SELECT type, priority, count(*), extract(epoch FROM now() - min(due)) * 1000, " + WAIT_TENTHS
            + " FROM (SELECT type, "
            + "priority, coalesce(run_at, created_at) AS due FROM jobs WHERE namespace = $1 AND status = 'queued' "
            + "AND (run_at IS NULL OR run_at <= now()) LIMIT $2) due GROUP BY type, priority",
        Tuple.of(namespace, cap))
        .map(rows -> {
          java.util.Map<String, java.util.Map<Priority, Queued>> counts = new java.util.HashMap<>();
          rows.forEach(row -> counts.computeIfAbsent(row.getString(0), t -> new java.util.EnumMap<>(Priority.class))
              .put(Priority.parse(row.getString(1)).orElseThrow(),
                  new Queued(row.getLong(2), Math.max(0, Math.round(row.getDouble(3))),
                      Arrays.stream(row.getArrayOfDoubles(4)).map(ms -> Math.max(0, Math.round(ms)))
                          .toList())));
          return counts;
        });
  }

  /** A running job's attempt was claimed then; rows from before attempts were dated have only the first start. */
  private static final String ATTEMPT_START = "coalesce(attempt_started_at, started_at, updated_at)";
  /** When the current attempt's handler began: the claim until a progress report dates it, never before the claim. */
  private static final String HANDLER_BEGAN = "greatest(handler_started_at, " + ATTEMPT_START + ")";
  /**
   * The length (ms from the claim) a running job's progress rate points at, as the hints reckon it: the rate in the
   * handler's time, from its start to the last report. Never less than it has run, until it reports 100 %: a report
   * made the moment its handler began gives no rate, and a job that stopped reporting is at least as long as it has
   * been running; but one that reported its end is as long as that report says, however long its outcome takes to be
   * written (behind a backlog of short jobs, that wait had their length read twice what it was).
   */
  private static final String PROGRESS_LENGTH_MS = "extract(epoch FROM greatest(CASE WHEN progress_percent >= 100 "
      + "THEN interval '0' ELSE now() - " + ATTEMPT_START + " END, (" + HANDLER_BEGAN + " - " + ATTEMPT_START
      + ") + (greatest(updated_at, " + HANDLER_BEGAN + ") - " + HANDLER_BEGAN + ") * 100.0 / progress_percent)) * 1000";

  /**
   * Running jobs of one type: how many, how long the longest- and the shortest-running of them have run, the median
   * length (from the claim) their progress rates point at (0 while none has reported progress), and what those on
   * their first attempt that have reported say (see {@link FirstAttempts}).
   */
  public record Running(long count, long longestMs, long shortestMs, long lengthMs, FirstAttempts firstAttempts) {
    public static final Running NONE = new Running(0, 0, 0, 0);

    /** Running jobs of which nothing more is known. */
    public Running(long count, long longestMs, long shortestMs, long lengthMs) {
      this(count, longestMs, shortestMs, lengthMs, FirstAttempts.NONE);
    }
  }

  /**
   * The running jobs of a type on their first attempt that have reported progress: how many, the 10th, 50th and 90th
   * percentiles of the lengths their progress rates point at, and how long before the count the earliest- and the
   * latest-due of them were due (as {@link Job#firstDue()}).
   */
  public record FirstAttempts(long reported, long shortLengthMs, long lengthMs, long longLengthMs, long earliestDueMs,
      long latestDueMs) {
    public static final FirstAttempts NONE = new FirstAttempts(0, 0, 0, 0, 0, 0);
  }

  /** The namespace's running jobs per type; there are no more of them than the workers have slots, so few to count. */
  public Future<java.util.Map<String, Running>> runningByType(String namespace) {
    return query("SELECT type, count(*), "
            + "coalesce(extract(epoch FROM now() - min(" + ATTEMPT_START + ")) * 1000, 0), "
            + "coalesce(extract(epoch FROM now() - max(" + ATTEMPT_START + ")) * 1000, 0), "
            + progressLength(0.5, REPORTED) + ", count(*) FILTER (WHERE " + FIRST_REPORTED + "), "
            + progressLength(0.1, FIRST_REPORTED) + ", " + progressLength(0.5, FIRST_REPORTED) + ", "
            + progressLength(0.9, FIRST_REPORTED) + ", "
            + "coalesce(extract(epoch FROM now() - min(" + FIRST_DUE + ") FILTER (WHERE " + FIRST_REPORTED
            + ")) * 1000, 0), "
            + "coalesce(extract(epoch FROM now() - max(" + FIRST_DUE + ") FILTER (WHERE " + FIRST_REPORTED
            + ")) * 1000, 0) "
            + "FROM jobs WHERE namespace = $1 AND status = 'running' GROUP BY type", Tuple.of(namespace))
        .map(rows -> {
          java.util.Map<String, Running> running = new java.util.HashMap<>();
          rows.forEach(row -> running.put(row.getString(0), new Running(row.getLong(1), millis(row, 2),
              millis(row, 3), millis(row, 4), new FirstAttempts(row.getLong(5), millis(row, 6), millis(row, 7),
                  millis(row, 8), millis(row, 9), millis(row, 10)))));
          return running;
        });
  }

  private static final String REPORTED = "progress_percent > 0";
  private static final String FIRST_REPORTED = REPORTED + " AND attempts = 1";
  /** As {@link Job#firstDue()}: greatest ignores a null run_at. */
  private static final String FIRST_DUE = "greatest(run_at, created_at)";

  /** The {@code q} percentile of the lengths the progress rates of the running jobs that match point at; else 0. */
  private static String progressLength(double q, String filter) {
    return "coalesce(percentile_cont(" + q + ") WITHIN GROUP (ORDER BY " + PROGRESS_LENGTH_MS
        + ") FILTER (WHERE " + filter + "), 0)";
  }

  /** Whole milliseconds; never negative, though clocks that disagree a moment could make an age so. */
  private static long millis(Row row, int column) {
    return Math.max(0, Math.round(row.getDouble(column)));
  }

  /** The bytes of payload and result the tenant's jobs among these ids hold, as stored. */
  public Future<Long> storedBytes(String tenant, List<UUID> ids) {
    return query("SELECT coalesce(sum(" + SIZE + "), 0) FROM jobs WHERE id = ANY($1) AND tenant = $2",
        Tuple.of(ids.toArray(UUID[]::new), tenant))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  private List<Job> inGivenOrder(List<UUID> ids, RowSet<Row> rows) {
    java.util.Map<UUID, Job> byId = new java.util.HashMap<>();
    rows.forEach(row -> byId.put(row.getUUID(0), map(row)));
    return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
  }

  /** One page of a tenant's jobs, and whether more follow it. */
  public record Page(List<Job> jobs, boolean more) {
  }

  /**
   * One page of a tenant's jobs (of one type and one schedule, when given), newest first, strictly older than
   * {@code before} when given: at most {@code limit}
   * jobs, and no more than {@code maxBytes} of payloads and results past the first job, so a page of
   * large jobs stays small in memory and on the wire.
   */
  public Future<Page> page(String tenant, List<JobStatus> statuses, String type, String schedule, UUID before,
      int limit, long maxBytes) {
    String[] wanted = statuses.stream().map(JobStatus::wire).toArray(String[]::new);
    return query("SELECT * FROM (SELECT " + COLUMNS + ", count(*) OVER () AS found, "
            + "sum(" + SIZE + ") OVER (ORDER BY id DESC) AS upto, " + SIZE + " AS size FROM (SELECT * FROM jobs"
            + " WHERE tenant = $1 AND ($2::text[] IS NULL OR status = ANY($2)) AND ($3::text IS NULL OR type = $3)"
            + " AND ($4::uuid IS NULL OR id < $4) AND ($7::text IS NULL OR schedule = $7)"
            + " ORDER BY id DESC LIMIT $5) candidates) sized WHERE upto - size < $6 ORDER BY id DESC",
        Tuple.of(tenant, wanted.length == 0 ? null : wanted, type, before, limit + 1, maxBytes).addString(schedule))
        .map(rows -> {
          List<Job> jobs = new java.util.ArrayList<>(rows.size());
          long found = 0;
          for (Row row : rows) {
            found = row.getLong("found");
            if (jobs.size() < limit) {
              jobs.add(map(row));
            }
          }
          return new Page(jobs, found > jobs.size());
        });
  }

  /** A tenant's queued and running jobs, counted per type and status. */
  public Future<java.util.Map<String, int[]>> activeCounts(String tenant) {
    return query("SELECT type, status, count(*) FROM jobs WHERE tenant = $1"
            + " AND status IN ('queued', 'running') GROUP BY type, status", Tuple.of(tenant))
        .map(rows -> {
          java.util.Map<String, int[]> counts = new java.util.HashMap<>();
          rows.forEach(row -> counts.computeIfAbsent(row.getString(0), t -> new int[2])
              [row.getString(1).equals("queued") ? 0 : 1] = row.getLong(2).intValue());
          return counts;
        });
  }

  /** How many of a tenant's jobs have one type and status. */
  public record Count(String type, JobStatus status, long count) {
  }

  /** A tenant's jobs counted per type and status: one pass over the tenant's rows, so callers should not ask often. */
  public Future<List<Count>> countsByTypeAndStatus(String tenant) {
    return query("SELECT type, status, count(*) FROM jobs WHERE tenant = $1 GROUP BY type, status", Tuple.of(tenant))
        .map(rows -> {
          List<Count> counts = new java.util.ArrayList<>(rows.size());
          rows.forEach(row -> counts.add(new Count(row.getString(0), JobStatus.fromWire(row.getString(1)),
              row.getLong(2))));
          return counts;
        });
  }

  /** How many of a tenant's jobs were submitted, and how many finished, in one second (epoch seconds). */
  public record Second(long epochSecond, long submitted, long finished) {
  }

  /**
   * A tenant's jobs submitted and finished per second since {@code since}, each side read from one index alone:
   * submitted jobs from the id index, by the time their UUIDv7 id starts with (their creation, to the millisecond),
   * finished ones from {@code jobs_tenant_finished_at}. Neither reads rows older than {@code since}.
   */
  public Future<List<Second>> perSecond(String tenant, Instant since) {
    UUID lowestId = new UUID((since.toEpochMilli() << 16) | 0x7000L, Long.MIN_VALUE);
    return query("SELECT s, sum(submitted)::bigint, sum(finished)::bigint FROM ("
            + "SELECT ('x' || translate(left(id::text, 13), '-', ''))::bit(48)::bigint / 1000 AS s, "
            + "count(*) AS submitted, 0 AS finished FROM jobs WHERE tenant = $1 AND id >= $2 GROUP BY 1 UNION ALL "
            + "SELECT floor(extract(epoch FROM finished_at))::bigint, 0, count(*) "
            + "FROM jobs WHERE tenant = $1 AND finished_at >= $3 GROUP BY 1) buckets GROUP BY s ORDER BY s",
        Tuple.of(tenant, lowestId, since.atOffset(ZoneOffset.UTC)))
        .map(rows -> {
          List<Second> seconds = new java.util.ArrayList<>(rows.size());
          rows.forEach(row -> seconds.add(new Second(row.getLong(0), row.getLong(1), row.getLong(2))));
          return seconds;
        });
  }

  /** Jobs running now, across all tenants. */
  public Future<Long> runningCount() {
    return query("SELECT count(*) FROM jobs WHERE status = 'running'", Tuple.tuple())
        .map(rows -> rows.iterator().next().getLong(0));
  }

  public Future<Long> queuedCount(String tenant) {
    return query("SELECT count(*) FROM jobs WHERE tenant = $1 AND status = 'queued'", Tuple.of(tenant))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** p50 and p95 of attempt durations (ms) per type, over successes of the last hour, all tenants. */
  public Future<java.util.Map<String, long[]>> recentDurations() {
    return query("SELECT type, percentile_cont(0.5) WITHIN GROUP (ORDER BY d), "
            + "percentile_cont(0.95) WITHIN GROUP (ORDER BY d) FROM (SELECT type, "
            + "extract(epoch FROM finished_at - coalesce(attempt_started_at, started_at)) * 1000 AS d FROM jobs "
            + "WHERE status = 'succeeded' AND finished_at > now() - interval '1 hour') recent GROUP BY type",
        Tuple.tuple())
        .map(rows -> {
          java.util.Map<String, long[]> durations = new java.util.HashMap<>();
          rows.forEach(row -> durations.put(row.getString(0),
              new long[] {Math.round(row.getDouble(1)), Math.round(row.getDouble(2))}));
          return durations;
        });
  }

  /**
   * queued → running for the next attempt of each of these jobs, holding a lease for {@code leaseMs} in the name of
   * {@code leaseOwner}; one answer per id, in order, empty where the job is not queued (already taken, cancelled,
   * done), not yet due, or being changed by someone else right now. Rows are locked in id order, and a row another
   * transaction holds is skipped rather than waited for, so concurrent claimers never deadlock.
   */
  public Future<List<Optional<Job>>> claimAll(List<UUID> ids, String workerId, String leaseOwner, long leaseMs) {
    return query(CLAIM,
        Tuple.of(ids.toArray(UUID[]::new), workerId, leaseOwner, leaseMs))
        .map(rows -> inOrder(ids, rows));
  }

  /** What a claim under a type's concurrency limit did: the jobs it claimed, and those it left queued for want of room. */
  public record LimitedClaim(List<Optional<Job>> claimed, Set<UUID> overLimit) {
  }

  /**
   * As {@link #claimAll}, for jobs of a type of which at most {@code limit} may run at once in the namespace. Claims
   * of the type take turns on a lock, so each counts the running jobs after the previous one committed; the jobs
   * claimable beyond the room left stay queued, named in {@code overLimit}.
   */
  public Future<LimitedClaim> claimWithin(String namespace, String type, int limit, List<UUID> ids, String workerId,
      String leaseOwner, long leaseMs) {
    UUID[] array = ids.toArray(UUID[]::new);
    return postgresql.call(() -> pool.withTransaction(conn -> conn
        .preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .execute(Tuple.of("type limit " + namespace + " " + type))
        .compose(locked -> conn.preparedQuery("SELECT count(*) FROM jobs WHERE namespace = $1 AND type = $2 "
            + "AND status = 'running'").execute(Tuple.of(namespace, type)))
        .map(rows -> Math.max(0, limit - rows.iterator().next().getLong(0)))
        .compose(room -> conn.preparedQuery(CLAIM_SOME)
            .execute(Tuple.of(array, workerId, leaseOwner, leaseMs, room))
            .compose(rows -> rows.size() < room || rows.size() == ids.size()
                ? Future.succeededFuture(new LimitedClaim(inOrder(ids, rows), Set.of()))
                : conn.preparedQuery("SELECT id, " + CLAIMABLE + " FROM jobs WHERE id = ANY($1)")
                    .execute(Tuple.of((Object) array))
                    .map(found -> new LimitedClaim(inOrder(ids, rows), waiting(found)))))));
  }

  /** The ids of the rows whose second column says the job is claimable. */
  private static Set<UUID> waiting(RowSet<Row> found) {
    Set<UUID> waiting = new java.util.HashSet<>();
    found.forEach(row -> {
      if (Boolean.TRUE.equals(row.getBoolean(1))) {
        waiting.add(row.getUUID(0));
      }
    });
    return waiting;
  }

  /**
   * The job, with its lease renewed, if it runs under this owner's lease and the lease has not run out: settles a
   * claim whose answer was lost (it may have committed). A lease already run out is the reapers' to take back.
   */
  public Future<Optional<Job>> heldBy(UUID id, String leaseOwner, long leaseMs) {
    return one(query("UPDATE jobs SET lease_until = now() + $3 * interval '1 millisecond' WHERE id = $1 "
            + "AND status = 'running' AND lease_owner = $2 AND lease_until > now() RETURNING " + COLUMNS,
        Tuple.of(id, leaseOwner, leaseMs)));
  }

  /**
   * Each of these jobs that is queued with no record owed gets one again, due when the job is: for a record that came
   * before its job was due, or one set aside while the job was in progress here. Returns the ids that got a record.
   */
  public Future<List<UUID>> oweIfQueued(List<UUID> ids) {
    return query("INSERT INTO job_outbox (namespace, job_id, type, priority, due_at, traceparent, queued_at) "
            + "SELECT namespace, id, type, priority, greatest(due_at, now()), traceparent, " + QUEUED_AT
            + " FROM jobs j "
            + "WHERE id = ANY($1) AND status = 'queued' "
            + "AND NOT EXISTS (SELECT 1 FROM job_outbox o WHERE o.job_id = j.id) RETURNING job_id",
        Tuple.of((Object) ids.toArray(UUID[]::new)))
        .map(JobStore::ids);
  }

  /**
   * Renews, with one statement, the leases of the jobs this worker process still runs, and only while they hold: a
   * job whose claim committed unknown to its worker, or whose lease already ran out, is left to the reapers.
   * Returns how many were renewed.
   */
  public Future<Integer> renewLeases(String leaseOwner, java.util.Collection<UUID> jobIds, long leaseMs) {
    return query("WITH held AS (SELECT id FROM jobs WHERE id = ANY($2) AND lease_owner = $1 AND status = 'running' "
            + "AND lease_until > now() ORDER BY id FOR NO KEY UPDATE) "
            + "UPDATE jobs SET lease_until = now() + $3 * interval '1 millisecond' FROM held WHERE jobs.id = held.id",
        Tuple.of(leaseOwner, jobIds.toArray(UUID[]::new), leaseMs))
        .map(RowSet::rowCount);
  }

  /** One attempt as its worker names it in every write: the job, the attempt's number and the lease's owner. */
  public record Attempt(UUID id, int number, String owner) {
  }

  /**
   * Only the attempt's own worker, while it still holds the lease, changes a running job: a write that comes late
   * (the lease was reaped, the job retried elsewhere, even under a reused attempt number) finds no row.
   */
  private static final String HELD = "id = $1 AND attempts = $2 AND lease_owner = $3 AND status = 'running'";

  /**
   * When the attempt's handler began, from a report made $6 ms ago after it had run $7 ms (NULL if unknown): each
   * report dates it late by its write's own delay, so the first one dates it (never before the claim), and each next
   * one only earlier.
   */
  private static final String REPORTED_START = NOW + " - ($6::float8 + $7::float8) * interval '1 millisecond'";
  private static final String HANDLER_START = "(CASE WHEN $7::float8 IS NULL THEN handler_started_at "
      + "WHEN handler_started_at IS NULL THEN greatest(attempt_started_at, " + REPORTED_START + ") "
      + "ELSE least(handler_started_at, " + REPORTED_START + ") END)";

  /**
   * Records progress of a running attempt, made {@code ageMs} ago (a report the worker held back): the change time is
   * when it was made, never before the last change. The handler's start is the report's time less {@code runningMs}
   * (if not negative), never before the claim. Empty when nothing changed (same or lower percent, or attempt over).
   */
  public Future<Optional<Job>> progress(Attempt attempt, Progress progress, long ageMs, long runningMs) {
    return one(query("UPDATE jobs SET progress_percent = $4, progress_message = $5, updated_at = greatest(updated_at, "
            + NOW + " - $6::float8 * interval '1 millisecond'), handler_started_at = " + HANDLER_START
            + ", version = version + 1 WHERE " + HELD
            + " AND (progress_percent IS NULL OR progress_percent < $4"
            + " OR (progress_percent = $4 AND progress_message IS DISTINCT FROM $5)) RETURNING " + COLUMNS,
        Tuple.of(attempt.id(), attempt.number(), attempt.owner(), progress.percent(), progress.message(),
            (double) Math.max(0, ageMs)).addValue(runningMs < 0 ? null : (double) runningMs)));
  }

  /** One attempt's result, as {@link #succeedAll} stores it. */
  public record Success(Attempt attempt, String result) {
  }

  /**
   * running → succeeded with its result, for each attempt still held by its worker; one answer per attempt, in
   * order, empty where the attempt is over. Rows are locked in id order, as the heartbeat's renewal locks them, so
   * the two never deadlock.
   */
  public Future<List<Optional<Job>>> succeedAll(List<Success> successes) {
    int n = successes.size();
    UUID[] ids = new UUID[n];
    Integer[] numbers = new Integer[n];
    String[] owners = new String[n];
    String[] results = new String[n];
    for (int i = 0; i < n; i++) {
      Success success = successes.get(i);
      ids[i] = success.attempt().id();
      numbers[i] = success.attempt().number();
      owners[i] = success.attempt().owner();
      results[i] = success.result();
    }
    return query(SUCCEED,
        Tuple.of(ids, numbers, owners, results))
        .map(rows -> inOrder(successes.stream().map(s -> s.attempt().id()).toList(), rows));
  }

  /**
   * Ends the attempt for good: {@code failed} with its error, or {@code cancelled}. A failure after a cancel was asked
   * ends {@code cancelled}: the cancel came first.
   */
  public Future<Optional<Job>> end(Attempt attempt, JobStatus terminal, JobError error) {
    return one(query("UPDATE jobs SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE $4 END, "
            + "error_code = CASE WHEN cancel_requested THEN NULL ELSE $5 END, "
            + "error_message = CASE WHEN cancel_requested THEN NULL ELSE $6 END, "
            + "finished_at = " + NOW + ", " + ENDED + " WHERE " + HELD + " RETURNING " + COLUMNS,
        Tuple.of(attempt.id(), attempt.number(), attempt.owner(), terminal.wire(),
            error == null ? null : error.code(), error == null ? null : error.message())));
  }

  /**
   * running → queued after a failed attempt with attempts left, or one the worker cut short (which then does not
   * count), due again after {@code delayMs}; the record that brings it back is owed in the same statement. A job whose
   * cancel was requested ends {@code cancelled} instead: a cancel is never undone by a retry.
   */
  public Future<Optional<Job>> requeue(Attempt attempt, JobError error, boolean attemptCounts, long delayMs) {
    return one(query(owingRequeued("UPDATE jobs SET "
            + "status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END, "
            + "error_code = CASE WHEN cancel_requested THEN NULL ELSE $4 END, "
            + "error_message = CASE WHEN cancel_requested THEN NULL ELSE $5 END, "
            + "attempts = attempts - CASE WHEN cancel_requested THEN 0 ELSE $6 END, "
            + "due_at = CASE WHEN cancel_requested THEN NULL ELSE now() + $7 * interval '1 millisecond' END, "
            + "finished_at = CASE WHEN cancel_requested THEN " + NOW + " END, " + ENDED + " WHERE " + HELD),
        Tuple.of(attempt.id(), attempt.number(), attempt.owner(), error.code(), error.message(),
            attemptCounts ? 0 : 1, delayMs)));
  }

  /**
   * Takes up to {@code limit} running jobs of the namespace whose lease ran out (locked with SKIP LOCKED, so reapers
   * share the work): each spends its attempt and is queued again, or ends {@code failed} with {@code worker_lost}
   * once its attempts are spent, or {@code cancelled} if a cancel was requested.
   */
  public Future<List<Job>> reapExpiredLeases(String namespace, int limit) {
    return query(owingRequeued("UPDATE jobs SET "
            + "status = CASE WHEN cancel_requested THEN 'cancelled' "
            + "WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, "
            + "error_code = CASE WHEN cancel_requested THEN NULL ELSE 'worker_lost' END, "
            + "error_message = CASE WHEN cancel_requested THEN NULL ELSE 'the worker running attempt ' || attempts "
            + "|| ' stopped renewing its lease (it crashed, hung or lost its connection)' END, "
            + "due_at = CASE WHEN cancel_requested OR attempts >= max_attempts THEN NULL ELSE now() END, "
            + "finished_at = CASE WHEN cancel_requested OR attempts >= max_attempts THEN " + NOW + " END, " + ENDED
            + " WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_until < now() AND namespace = $1"
            + " ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED)"),
        Tuple.of(namespace, limit))
        .map(JobStore::all);
  }

  /** A queued job as the reconciler saw it: its {@code version} tells whether anything touched it since. */
  public record Seen(UUID id, String type, long version) {}

  /**
   * Queued jobs of these types, due since before {@code dueBefore}, with no record owed: either their record is in
   * Kafka, sent and not yet claimed, or it is lost. The reconciler tells which by looking again later.
   */
  public Future<List<Seen>> queuedWithoutRecord(String namespace, List<String> types, Instant dueBefore, int limit) {
    return query("SELECT id, type, version FROM jobs j"
            + " WHERE namespace = $1 AND status = 'queued' AND type = ANY($2) AND due_at < $3"
            + " AND NOT EXISTS (SELECT 1 FROM job_outbox o WHERE o.job_id = j.id) LIMIT $4",
        Tuple.of(namespace, types.toArray(String[]::new), dueBefore.atOffset(ZoneOffset.UTC), limit))
        .map(rows -> {
          List<Seen> seen = new java.util.ArrayList<>(rows.size());
          rows.forEach(row -> seen.add(new Seen(row.getUUID(0), row.getString(1), row.getLong(2))));
          return seen;
        });
  }

  /**
   * Owes the record again of each of these jobs that is still queued, unchanged since it was seen, with no record
   * owed; returns their ids. For the reconciler, which calls it only once the workers have read past every record
   * that could have been in Kafka for them.
   */
  public Future<List<UUID>> resendUnchanged(String namespace, List<Seen> seen) {
    return query("INSERT INTO job_outbox (namespace, job_id, type, priority, due_at, traceparent, queued_at) "
            + "SELECT j.namespace, j.id, j.type, j.priority, now(), j.traceparent, " + QUEUED_AT
            + " FROM unnest($2::uuid[], $3::bigint[]) AS s(id, version) JOIN jobs j ON j.id = s.id"
            + " WHERE j.namespace = $1 AND j.version = s.version AND j.status = 'queued'"
            + " AND NOT EXISTS (SELECT 1 FROM job_outbox o WHERE o.job_id = j.id)"
            // One reconciler at a time per namespace: the others find the lock taken and add nothing.
            + " AND pg_try_advisory_xact_lock(hashtextextended('reconcile ' || $1, 0)) RETURNING job_id",
        Tuple.of(namespace, seen.stream().map(Seen::id).toArray(UUID[]::new),
            seen.stream().map(Seen::version).toArray(Long[]::new)))
        .map(JobStore::ids);
  }

  /**
   * failed or cancelled → queued, on the tenant's request: the job gets its budget of attempts once more
   * ({@code maxAttempts} grows by what it was submitted with; {@code attempts} keeps counting), keeps its last error
   * until it runs, and is owed its record, due now (or at its {@code runAt}, if that is later). Empty if the job is not the tenant's or not failed or cancelled.
   * On {@code conn}, so an idempotent request can do it in the transaction that holds its key.
   */
  public static Future<Optional<Job>> retry(SqlClient conn, String tenant, UUID id) {
    return one(conn.preparedQuery(owingRequeued("UPDATE jobs SET status = 'queued', "
            + "max_attempts = max_attempts + coalesce(attempt_budget, max_attempts), "
            + "attempt_budget = coalesce(attempt_budget, max_attempts), cancel_requested = false, finished_at = NULL, "
            + "progress_percent = NULL, progress_message = NULL, due_at = greatest(coalesce(run_at, now()), now()), "
            + CHANGE
            + " WHERE id = $1 AND tenant = $2 AND status IN ('failed', 'cancelled')"))
        .execute(Tuple.of(id, tenant)));
  }

  /** queued → cancelled; empty if the job is not queued. */
  public Future<Optional<Job>> cancelQueued(UUID id) {
    return one(query("UPDATE jobs SET status = 'cancelled', cancel_requested = true, due_at = NULL, "
        + "finished_at = " + NOW + ", " + CHANGE + " WHERE id = $1 AND status = 'queued' RETURNING " + COLUMNS,
        Tuple.of(id)));
  }

  /** Flags a running job for cooperative cancellation; empty if it is not running. */
  public Future<Optional<Job>> requestCancel(UUID id) {
    return one(query("UPDATE jobs SET cancel_requested = true, "
            + "updated_at = CASE WHEN cancel_requested THEN updated_at ELSE " + NOW + " END, "
            + "version = CASE WHEN cancel_requested THEN version ELSE version + 1 END "
            + "WHERE id = $1 AND status = 'running' RETURNING " + COLUMNS, Tuple.of(id)));
  }

  /** How one callback delivery attempt went: the receiver's status (null if it gave none) or what went wrong. */
  public record CallbackAttempt(UUID id, UUID delivery, int number, Integer status, String error, boolean delivered,
      Long retryInMs) {
  }

  /**
   * Takes up to {@code limit} callback deliveries that are due, counting an attempt for each and holding them for
   * {@code holdMs}: a dispatcher that dies mid-delivery leaves them due again once the hold is over. A delivery owed
   * for longer than {@code retryForMs} (its attempts kept dying) is given up instead, and returned with no next attempt.
   */
  public Future<List<Job>> takeDueCallbacks(String namespace, int limit, long holdMs, long retryForMs) {
    String expired = "callback_since + $4 * interval '1 millisecond' < clock_timestamp()";
    return query("UPDATE jobs SET callback_due_at = CASE WHEN " + expired + " THEN NULL "
            + "ELSE clock_timestamp() + $3 * interval '1 millisecond' END, "
            + "callback_attempts = CASE WHEN " + expired + " THEN callback_attempts ELSE callback_attempts + 1 END, "
            + "callback_last_error = CASE WHEN " + expired + " THEN 'given up: no attempt could be completed' "
            + "ELSE callback_last_error END, version = version + 1 "
            + "WHERE id IN (SELECT id FROM jobs WHERE namespace = $1 AND callback_due_at <= now() "
            + "ORDER BY callback_due_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS,
        Tuple.of(namespace, limit, holdMs, retryForMs))
        .map(JobStore::all);
  }

  /**
   * Writes how an attempt went, if the delivery is still the one taken and no later attempt took it: delivered, due
   * again after {@code retryInMs}, or given up when that would pass {@code retryForMs} since the delivery was owed
   * (or when there is no retry).
   */
  public Future<Optional<Job>> recordCallback(CallbackAttempt attempt, long retryForMs) {
    return one(query("UPDATE jobs SET callback_last_status = $4, callback_last_error = $5, "
            + "callback_delivered_at = CASE WHEN $6 THEN clock_timestamp() END, "
            + "callback_due_at = CASE WHEN $6 OR $7::bigint IS NULL OR callback_since + $8 * interval '1 millisecond'"
            + " < clock_timestamp() + $7 * interval '1 millisecond' THEN NULL "
            + "ELSE clock_timestamp() + $7 * interval '1 millisecond' END, version = version + 1 "
            + "WHERE id = $1 AND callback_delivery = $2 AND callback_attempts = $3 AND callback_due_at IS NOT NULL "
            + "RETURNING " + COLUMNS,
        Tuple.tuple().addUUID(attempt.id()).addUUID(attempt.delivery()).addInteger(attempt.number())
            .addInteger(attempt.status()).addString(attempt.error()).addBoolean(attempt.delivered())
            .addLong(attempt.retryInMs()).addLong(retryForMs)));
  }

  /**
   * Wraps an UPDATE of jobs that may leave some of them queued: returns the changed jobs and, in the same statement,
   * owes a record for each one queued, due when the job is.
   */
  private static String owingRequeued(String update) {
    return "WITH changed AS (" + update + " RETURNING " + COLUMNS + ", namespace, due_at, traceparent), "
        + "owed AS (INSERT INTO job_outbox (namespace, job_id, type, priority, due_at, traceparent, queued_at) "
        + "SELECT namespace, id, type, priority, due_at, traceparent, " + QUEUED_AT + " FROM changed "
        + "WHERE status = 'queued') "
        + "SELECT * FROM changed";
  }

  private Future<RowSet<Row>> query(String sql, Tuple params) {
    return postgresql.call(() -> pool.preparedQuery(sql).execute(params));
  }

  /**
   * queued → running under a lease, for those of the jobs $1 that {@code pick} takes. The rows are found by id alone
   * and checked once locked: with any other condition beside the ids, stale statistics can make the planner scan a
   * whole status index, whose cost grows with the backlog.
   */
  private static String claim(String pick) {
    return "WITH locked AS (SELECT id, status, cancel_requested, due_at FROM jobs WHERE id = ANY($1) "
        + "ORDER BY id FOR NO KEY UPDATE SKIP LOCKED), "
        + "claimable AS (SELECT id FROM locked WHERE " + CLAIMABLE + " " + pick + ") "
        + "UPDATE jobs SET status = 'running', attempts = attempts + 1, "
        + "started_at = coalesce(started_at, " + NOW + "), attempt_started_at = " + NOW + ", "
        + "handler_started_at = NULL, "
        + "progress_percent = NULL, progress_message = NULL, worker_id = $2, lease_owner = $3, "
        + "lease_until = now() + $4 * interval '1 millisecond', due_at = NULL, " + CHANGE
        + " FROM claimable WHERE jobs.id = claimable.id RETURNING " + QUALIFIED;
  }

  private static String leaving(JobStatus target) {
    String[] sources = Arrays.stream(JobStatus.values()).filter(s -> s.canMoveTo(target))
        .map(s -> "'" + s.wire() + "'").toArray(String[]::new);
    return "status IN (" + String.join(", ", sources) + ")";
  }

  /** One answer per id, in the order asked, from rows in any order. */
  private static List<Optional<Job>> inOrder(List<UUID> ids, RowSet<Row> rows) {
    java.util.Map<UUID, Job> byId = new java.util.HashMap<>();
    rows.forEach(row -> {
      Job job = map(row);
      byId.put(job.id(), job);
    });
    return ids.stream().map(id -> Optional.ofNullable(byId.get(id))).toList();
  }

  private static List<UUID> ids(RowSet<Row> rows) {
    List<UUID> ids = new java.util.ArrayList<>(rows.size());
    rows.forEach(row -> ids.add(row.getUUID(0)));
    return ids;
  }

  private static List<Job> all(RowSet<Row> rows) {
    List<Job> jobs = new java.util.ArrayList<>(rows.size());
    rows.forEach(row -> jobs.add(map(row)));
    return jobs;
  }

  private static Future<Optional<Job>> one(Future<RowSet<Row>> rows) {
    return rows.map(set -> {
      var it = set.iterator();
      return it.hasNext() ? Optional.of(map(it.next())) : Optional.empty();
    });
  }

  static Job map(Row row) {
    Integer percent = row.getInteger(6);
    String result = row.getString(17);
    String errorCode = row.getString(18);
    return new Job(
        row.getUUID(0),
        row.getString(1),
        row.getString(2),
        JobStatus.fromWire(row.getString(3)),
        Priority.parse(row.getString(4)).orElseThrow(),
        Json.parseStored(row.getString(5)),
        percent == null ? null : new Progress(percent, row.getString(7)),
        row.getInteger(8),
        row.getInteger(9),
        row.getLong(10),
        Times.toInstant(row.getOffsetDateTime(11)),
        row.getString(12),
        Times.toInstant(row.getOffsetDateTime(13)),
        Times.toInstant(row.getOffsetDateTime(14)),
        Times.toInstant(row.getOffsetDateTime(15)),
        Times.toInstant(row.getOffsetDateTime(16)),
        result == null ? null : Json.parseStored(result),
        errorCode == null ? null : new JobError(errorCode, row.getString(19)),
        row.getBoolean(20),
        row.getLong(21),
        row.getString(22),
        callback(row),
        null,
        Times.toInstant(row.getOffsetDateTime(29)),
        Times.toInstant(row.getOffsetDateTime(30)));
  }

  private static CallbackState callback(Row row) {
    UUID delivery = row.getUUID(23);
    return delivery == null ? null : new CallbackState(delivery, row.getInteger(24), row.getInteger(25),
        row.getString(26), Times.toInstant(row.getOffsetDateTime(27)), Times.toInstant(row.getOffsetDateTime(28)));
  }
}
