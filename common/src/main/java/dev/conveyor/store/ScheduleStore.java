package dev.conveyor.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** All SQL on {@code schedules}: a tenant's recurring jobs, and the due ones a scheduler takes. */
public final class ScheduleStore {
  private static final String COLUMNS = "tenant, name, cron, timezone, job::text, paused, next_run_at, last_run_at, "
      + "last_job_id, created_at, updated_at";

  /** One schedule; {@code nextRunAt} is null while it is paused or will never fire again. */
  public record Schedule(String tenant, String name, String cron, String timezone, JsonNode job, boolean paused,
      Instant nextRunAt, Instant lastRunAt, UUID lastJobId, Instant createdAt, Instant updatedAt) {
  }

  /** A schedule after a PUT, and whether the PUT created it. */
  public record Saved(Schedule schedule, boolean created) {
  }

  /** One page of a tenant's schedules by name, and whether more follow it. */
  public record Page(List<Schedule> schedules, boolean more) {
  }

  private final SqlClient client;
  private final Dependency postgresql;
  private final String namespace;

  public ScheduleStore(SqlClient client, Dependency postgresql, String namespace) {
    this.client = client;
    this.postgresql = postgresql;
    this.namespace = namespace;
  }

  /** Creates or replaces a schedule; its ticks count from now, and a replaced one keeps its history. */
  public Future<Saved> save(String tenant, String name, String cron, String timezone, JsonNode job, boolean paused,
      Instant nextRunAt) {
    return query("INSERT INTO schedules (tenant, name, namespace, cron, timezone, job, paused, next_run_at, "
            + "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, now(), now()) "
            + "ON CONFLICT (namespace, tenant, name) DO UPDATE SET cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, "
            + "job = EXCLUDED.job, paused = EXCLUDED.paused, next_run_at = EXCLUDED.next_run_at, updated_at = now() "
            + "RETURNING " + COLUMNS + ", xmax = 0",
        Tuple.of(tenant, name, namespace, cron, timezone, Json.write(job), paused, at(nextRunAt)))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Saved(map(row), row.getBoolean(11));
        });
  }

  public Future<Optional<Schedule>> find(String tenant, String name) {
    return query("SELECT " + COLUMNS + " FROM schedules WHERE tenant = $1 AND name = $2 AND namespace = $3",
            Tuple.of(tenant, name, namespace))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next())));
  }

  /** At most {@code limit} of a tenant's schedules, by name, after {@code afterName} when given. */
  public Future<Page> page(String tenant, String afterName, int limit) {
    return query("SELECT " + COLUMNS + " FROM schedules WHERE tenant = $1 AND ($2::text IS NULL OR name > $2) "
            + "AND namespace = $4 ORDER BY name LIMIT $3", Tuple.of(tenant, afterName, limit + 1, namespace))
        .map(rows -> {
          List<Schedule> found = all(rows);
          return found.size() > limit ? new Page(found.subList(0, limit), true) : new Page(found, false);
        });
  }

  public Future<Boolean> delete(String tenant, String name) {
    return query("DELETE FROM schedules WHERE tenant = $1 AND name = $2 AND namespace = $3",
            Tuple.of(tenant, name, namespace))
        .map(rows -> rows.rowCount() > 0);
  }

  /** Due schedules, and the database's clock they were judged by. */
  public record Due(Instant now, List<Schedule> schedules) {
  }

  /**
   * Takes up to {@code limit} due schedules of the namespace for the caller's transaction; another scheduler skips
   * them until it commits, so each tick is handled once.
   */
  public static Future<Due> takeDue(SqlClient conn, String namespace, int limit) {
    return conn.preparedQuery("SELECT " + COLUMNS + ", now() FROM schedules WHERE namespace = $1 AND NOT paused "
            + "AND next_run_at <= now() ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(namespace, limit))
        .map(rows -> new Due(rows.size() == 0 ? Instant.now()
            : Times.toInstant(rows.iterator().next().getOffsetDateTime(11)), all(rows)));
  }

  /** Records the tick a schedule fired for and the job it made, and its next tick (null: never again). */
  public static Future<Void> fired(SqlClient conn, String namespace, Schedule schedule, Instant tick, UUID jobId,
      Instant nextRunAt) {
    return conn.preparedQuery("UPDATE schedules SET last_run_at = $3, last_job_id = $4, next_run_at = $5 "
            + "WHERE tenant = $1 AND name = $2 AND namespace = $6")
        .execute(Tuple.of(schedule.tenant(), schedule.name(), at(tick), jobId, at(nextRunAt), namespace))
        .mapEmpty();
  }

  private Future<RowSet<Row>> query(String sql, Tuple params) {
    return postgresql.call(() -> client.preparedQuery(sql).execute(params));
  }

  private static OffsetDateTime at(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static List<Schedule> all(RowSet<Row> rows) {
    List<Schedule> schedules = new ArrayList<>(rows.size());
    rows.forEach(row -> schedules.add(map(row)));
    return schedules;
  }

  private static Schedule map(Row row) {
    return new Schedule(row.getString(0), row.getString(1), row.getString(2), row.getString(3),
        Json.parseStored(row.getString(4)), row.getBoolean(5), Times.toInstant(row.getOffsetDateTime(6)),
        Times.toInstant(row.getOffsetDateTime(7)), row.getUUID(8), Times.toInstant(row.getOffsetDateTime(9)),
        Times.toInstant(row.getOffsetDateTime(10)));
  }
}
