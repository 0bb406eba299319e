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
 * All SQL on {@code job_outbox}: the Kafka records owed, written in the transaction that makes them owed. A row is
 * deleted once its record is acknowledged by Kafka; a row past its due time is resent by the relay of its namespace.
 */
public final class OutboxStore {

  /** One owed record: the outbox row id and the job it announces. */
  public record Entry(long id, UUID jobId, String type) {
  }

  private OutboxStore() {
  }

  /** Adds one row per job, due at the given times; returns the entries in the same order. */
  public static Future<List<Entry>> add(SqlClient conn, String namespace, List<UUID> jobIds, List<String> types,
      List<Instant> dueAts) {
    OffsetDateTime[] due = dueAts.stream().map(t -> t.atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
    return conn.preparedQuery("INSERT INTO job_outbox (namespace, job_id, type, due_at) "
            + "SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::timestamptz[]) RETURNING id, job_id, type")
        .execute(Tuple.of(namespace, jobIds.toArray(UUID[]::new), types.toArray(String[]::new), due))
        .map(OutboxStore::entries);
  }

  /** Locks up to {@code limit} due rows of the namespace that no other relay holds; call inside a transaction. */
  public static Future<List<Entry>> lockDue(SqlClient conn, String namespace, int limit) {
    return conn.preparedQuery("SELECT id, job_id, type FROM job_outbox WHERE namespace = $1 AND due_at <= now() "
            + "ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(namespace, limit))
        .map(OutboxStore::entries);
  }

  private static List<Entry> entries(RowSet<Row> rows) {
    List<Entry> entries = new ArrayList<>(rows.size());
    rows.forEach(row -> entries.add(new Entry(row.getLong(0), row.getUUID(1), row.getString(2))));
    return entries;
  }

  public static Future<Void> delete(SqlClient conn, List<Entry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] ids = entries.stream().map(Entry::id).toArray(Long[]::new);
    return conn.preparedQuery("DELETE FROM job_outbox WHERE id = ANY($1)")
        .execute(Tuple.of(ids)).mapEmpty();
  }

  /** Puts rows whose send failed back by {@code delayMs}, so they never stand in front of the rest. */
  public static Future<Void> postpone(SqlClient conn, List<Entry> entries, long delayMs) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] ids = entries.stream().map(Entry::id).toArray(Long[]::new);
    return conn.preparedQuery("UPDATE job_outbox SET due_at = now() + $2 * interval '1 millisecond' WHERE id = ANY($1)")
        .execute(Tuple.of(ids, delayMs)).mapEmpty();
  }

  /** Which of these jobs still have a record owed. */
  public static Future<List<UUID>> owing(SqlClient conn, List<UUID> jobIds) {
    return conn.preparedQuery("SELECT DISTINCT job_id FROM job_outbox WHERE job_id = ANY($1)")
        .execute(Tuple.of((Object) jobIds.toArray(UUID[]::new)))
        .map(rows -> {
          List<UUID> owing = new ArrayList<>(rows.size());
          rows.forEach(row -> owing.add(row.getUUID(0)));
          return owing;
        });
  }
}
