package dev.conveyor.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobError;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Priority;
import dev.conveyor.jobs.Progress;
import dev.conveyor.jobs.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * All SQL on the {@code jobs} table. Every state change is a conditional update: it names the states it may
 * leave (from {@link JobStatus}'s table of moves) and the attempt it belongs to, so a late or repeated
 * writer changes nothing, and it bumps {@code version}.
 */
public final class JobStore {
  private static final String NOW = "date_trunc('milliseconds', clock_timestamp())";
  private static final String COLUMNS = "id, tenant, type, status, priority, payload::text, progress_percent, "
      + "progress_message, attempts, max_attempts, timeout_ms, run_at, callback_url, created_at, started_at, "
      + "updated_at, finished_at, result::text, error_code, error_message, cancel_requested, version";
  private static final String CHANGE = "updated_at = " + NOW + ", version = version + 1";

  private final SqlClient client;

  public JobStore(SqlClient client) {
    this.client = client;
  }

  /** Inserts new jobs with one statement, on the given connection so the caller can add the outbox rows. */
  public static Future<Void> insert(SqlClient conn, List<Job> jobs) {
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
    }
    return conn.preparedQuery("INSERT INTO jobs (id, tenant, type, status, priority, payload, max_attempts, "
            + "timeout_ms, run_at, callback_url, created_at, updated_at) "
            + "SELECT id, tenant, type, 'queued', priority, payload::jsonb, max_attempts, timeout_ms, run_at, "
            + "callback_url, created_at, created_at FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], "
            + "$5::text[], $6::int[], $7::bigint[], $8::timestamptz[], $9::text[], $10::timestamptz[]) "
            + "AS t(id, tenant, type, priority, payload, max_attempts, timeout_ms, run_at, callback_url, created_at)")
        .execute(Tuple.of(ids, tenants, types, priorities, payloads, maxAttempts)
            .addArrayOfLong(timeouts).addArrayOfOffsetDateTime(runAts).addArrayOfString(callbacks)
            .addArrayOfOffsetDateTime(createdAts))
        .mapEmpty();
  }

  public Future<Optional<Job>> find(UUID id) {
    return one(client.preparedQuery("SELECT " + COLUMNS + " FROM jobs WHERE id = $1").execute(Tuple.of(id)));
  }

  /** The jobs with these ids, in the order given (ids not found are skipped). */
  public Future<List<Job>> findAll(List<UUID> ids) {
    return client.preparedQuery("SELECT " + COLUMNS + " FROM jobs WHERE id = ANY($1)")
        .execute(Tuple.of((Object) ids.toArray(UUID[]::new)))
        .map(rows -> {
          java.util.Map<UUID, Job> byId = new java.util.HashMap<>();
          rows.forEach(row -> byId.put(row.getUUID(0), map(row)));
          return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
        });
  }

  /** One page of a tenant's jobs, newest first, strictly older than {@code before} when given. */
  public Future<List<Job>> page(String tenant, List<JobStatus> statuses, String type, UUID before, int limit) {
    String[] wanted = statuses.stream().map(JobStatus::wire).toArray(String[]::new);
    return client.preparedQuery("SELECT " + COLUMNS + " FROM jobs WHERE tenant = $1"
            + " AND ($2::text[] IS NULL OR status = ANY($2)) AND ($3::text IS NULL OR type = $3)"
            + " AND ($4::uuid IS NULL OR id < $4) ORDER BY id DESC LIMIT $5")
        .execute(Tuple.of(tenant, wanted.length == 0 ? null : wanted, type, before, limit))
        .map(rows -> {
          List<Job> jobs = new java.util.ArrayList<>(rows.size());
          rows.forEach(row -> jobs.add(map(row)));
          return jobs;
        });
  }

  /** A tenant's queued and running jobs, counted per type and status. */
  public Future<java.util.Map<String, int[]>> activeCounts(String tenant) {
    return client.preparedQuery("SELECT type, status, count(*) FROM jobs WHERE tenant = $1"
            + " AND status IN ('queued', 'running') GROUP BY type, status")
        .execute(Tuple.of(tenant))
        .map(rows -> {
          java.util.Map<String, int[]> counts = new java.util.HashMap<>();
          rows.forEach(row -> counts.computeIfAbsent(row.getString(0), t -> new int[2])
              [row.getString(1).equals("queued") ? 0 : 1] = row.getLong(2).intValue());
          return counts;
        });
  }

  /** Jobs running now, across all tenants. */
  public Future<Long> runningCount() {
    return client.query("SELECT count(*) FROM jobs WHERE status = 'running'").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  public Future<Long> queuedCount(String tenant) {
    return client.preparedQuery("SELECT count(*) FROM jobs WHERE tenant = $1 AND status = 'queued'")
        .execute(Tuple.of(tenant))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** p50 and p95 of attempt durations (ms) per type, over successes of the last hour, all tenants. */
  public Future<java.util.Map<String, long[]>> recentDurations() {
    return client.query("SELECT type, percentile_cont(0.5) WITHIN GROUP (ORDER BY d), "
            + "percentile_cont(0.95) WITHIN GROUP (ORDER BY d) FROM (SELECT type, "
            + "extract(epoch FROM finished_at - coalesce(attempt_started_at, started_at)) * 1000 AS d FROM jobs "
            + "WHERE status = 'succeeded' AND finished_at > now() - interval '1 hour') recent GROUP BY type")
        .execute()
        .map(rows -> {
          java.util.Map<String, long[]> durations = new java.util.HashMap<>();
          rows.forEach(row -> durations.put(row.getString(0),
              new long[] {Math.round(row.getDouble(1)), Math.round(row.getDouble(2))}));
          return durations;
        });
  }

  /** queued → running for the next attempt; empty if the job is not queued (already taken, cancelled, done). */
  public Future<Optional<Job>> claim(UUID id, String workerId) {
    return one(client.preparedQuery("UPDATE jobs SET status = 'running', attempts = attempts + 1, "
            + "started_at = coalesce(started_at, " + NOW + "), attempt_started_at = " + NOW + ", "
            + "progress_percent = NULL, progress_message = NULL, "
            + "worker_id = $2, " + CHANGE + " WHERE id = $1 AND " + leaving(JobStatus.RUNNING)
            + " AND NOT cancel_requested RETURNING " + COLUMNS)
        .execute(Tuple.of(id, workerId)));
  }

  /** Records progress of a running attempt; empty when nothing changed (same or lower percent, or attempt over). */
  public Future<Optional<Job>> progress(UUID id, int attempt, Progress progress) {
    return one(client.preparedQuery("UPDATE jobs SET progress_percent = $3, progress_message = $4, " + CHANGE
            + " WHERE id = $1 AND status = 'running' AND attempts = $2"
            + " AND (progress_percent IS NULL OR progress_percent < $3"
            + " OR (progress_percent = $3 AND progress_message IS DISTINCT FROM $4)) RETURNING " + COLUMNS)
        .execute(Tuple.of(id, attempt, progress.percent(), progress.message())));
  }

  public Future<Optional<Job>> succeed(UUID id, int attempt, JsonNode result) {
    return one(client.preparedQuery("UPDATE jobs SET status = 'succeeded', result = $3::text::jsonb, "
            + "error_code = NULL, error_message = NULL, finished_at = " + NOW + ", " + CHANGE
            + " WHERE id = $1 AND attempts = $2 AND " + leaving(JobStatus.SUCCEEDED) + " RETURNING " + COLUMNS)
        .execute(Tuple.of(id, attempt, Json.write(result))));
  }

  /** Ends the attempt for good: {@code failed} or {@code cancelled}, keeping the error for the client. */
  public Future<Optional<Job>> end(UUID id, int attempt, JobStatus terminal, JobError error) {
    return one(client.preparedQuery("UPDATE jobs SET status = $3, error_code = $4, error_message = $5, "
            + "finished_at = " + NOW + ", " + CHANGE
            + " WHERE id = $1 AND attempts = $2 AND " + leaving(terminal) + " RETURNING " + COLUMNS)
        .execute(Tuple.of(id, attempt, terminal.wire(), error == null ? null : error.code(),
            error == null ? null : error.message())));
  }

  /**
   * running → queued after a failed attempt with attempts left, or one the worker cut short (which then does
   * not count); the caller adds the outbox row that brings it back.
   */
  public static Future<Optional<Job>> requeue(SqlClient conn, UUID id, int attempt, JobError error,
      boolean attemptCounts) {
    return one(conn.preparedQuery("UPDATE jobs SET status = 'queued', error_code = $3, error_message = $4, "
            + "attempts = attempts - $5, " + CHANGE
            + " WHERE id = $1 AND attempts = $2 AND " + leaving(JobStatus.QUEUED) + " RETURNING " + COLUMNS)
        .execute(Tuple.of(id, attempt, error.code(), error.message(), attemptCounts ? 0 : 1)));
  }

  /** queued → cancelled; empty if the job is not queued. */
  public Future<Optional<Job>> cancelQueued(UUID id) {
    return one(client.preparedQuery("UPDATE jobs SET status = 'cancelled', cancel_requested = true, "
            + "finished_at = " + NOW + ", " + CHANGE + " WHERE id = $1 AND status = 'queued' RETURNING " + COLUMNS)
        .execute(Tuple.of(id)));
  }

  /** Flags a running job for cooperative cancellation; empty if it is not running. */
  public Future<Optional<Job>> requestCancel(UUID id) {
    return one(client.preparedQuery("UPDATE jobs SET cancel_requested = true, "
            + "updated_at = CASE WHEN cancel_requested THEN updated_at ELSE " + NOW + " END, "
            + "version = CASE WHEN cancel_requested THEN version ELSE version + 1 END "
            + "WHERE id = $1 AND status = 'running' RETURNING " + COLUMNS)
        .execute(Tuple.of(id)));
  }

  private static String leaving(JobStatus target) {
    String[] sources = Arrays.stream(JobStatus.values()).filter(s -> s.canMoveTo(target))
        .map(s -> "'" + s.wire() + "'").toArray(String[]::new);
    return "status IN (" + String.join(", ", sources) + ")";
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
        Json.parse(row.getString(5)),
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
        result == null ? null : Json.parse(result),
        errorCode == null ? null : new JobError(errorCode, row.getString(19)),
        row.getBoolean(20),
        row.getLong(21));
  }
}
