package dev.conveyor.store;

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
import java.util.UUID;

/**
 * All SQL on {@code job_outbox}: the Kafka records owed, written in the transaction that makes them owed.
 * A row is deleted once its record is acknowledged by Kafka; a row past its due time is resent by the relay.
 */
public final class OutboxStore {

  /** One owed record: the outbox row id and the job it announces. */
  public record Entry(long id, UUID jobId, String type) {
  }

  private OutboxStore() {
  }

  /** Adds one row per job, due at the given times; returns the entries in the same order. */
  public static Future<List<Entry>> add(SqlClient conn, List<UUID> jobIds, List<String> types, List<Instant> dueAts) {
    OffsetDateTime[] due = dueAts.stream().map(t -> t.atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
    return conn.preparedQuery("INSERT INTO job_outbox (job_id, type, due_at) "
            + "SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) RETURNING id, job_id, type")
        .execute(Tuple.of(jobIds.toArray(UUID[]::new), types.toArray(String[]::new), due))
        .map(OutboxStore::entries);
  }

  /** Locks up to {@code limit} due rows that no other relay holds; call inside a transaction. */
  public static Future<List<Entry>> lockDue(SqlClient conn, int limit) {
    return conn.preparedQuery("SELECT id, job_id, type FROM job_outbox WHERE due_at <= now() "
            + "ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(limit))
        .map(OutboxStore::entries);
  }

  private static List<Entry> entries(RowSet<Row> rows) {
    List<Entry> entries = new ArrayList<>(rows.size());
    rows.forEach(row -> entries.add(new Entry(row.getLong(0), row.getUUID(1), row.getString(2))));
    return entries;
  }

  public static Future<Void> delete(SqlClient conn, List<Entry> entries) {
    Long[] ids = entries.stream().map(Entry::id).toArray(Long[]::new);
    return conn.preparedQuery("DELETE FROM job_outbox WHERE id = ANY($1)")
        .execute(Tuple.of(ids)).mapEmpty();
  }
}
