package dev.conveyor.store;

import dev.conveyor.jobs.Priority;
import dev.conveyor.queue.JobQueue;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * All SQL on {@code job_outbox}: the Kafka records owed, written in the statement or transaction that makes them owed
 * (those live in {@link JobStore}, beside the change of the job). A row is
 * deleted once its record is acknowledged by Kafka; a row past its due time is resent by the relay of its namespace.
 */
public final class OutboxStore {

  /**
   * One owed record: the outbox row id, the job it announces, the queue it goes to, the trace context the job was
   * made in (null for jobs made before traces were kept), and when the job was due, its place in the queue (null for
   * rows owed before it was kept).
   */
  public record Entry(long id, UUID jobId, JobQueue queue, String traceparent, Instant queuedAt) {
    static Entry of(Row row) {
      OffsetDateTime queuedAt = row.getOffsetDateTime("queued_at");
      return new Entry(row.getLong("id"), row.getUUID("job_id"), new JobQueue(row.getString("type"),
          Priority.parse(row.getString("priority")).orElse(Priority.NORMAL), row.getBoolean("backlog")),
          row.getString("traceparent"), queuedAt == null ? null : queuedAt.toInstant());
    }
  }

  /** The columns {@link Entry#of} reads, for every statement that returns outbox rows. */
  static final String RETURNED = "id, job_id, type, priority, backlog, traceparent, queued_at";

  private OutboxStore() {
  }

  /**
   * Takes up to {@code limit} due rows of the namespace for one relay: their due time moves {@code holdMs} ahead, so
   * no other relay sends them meanwhile, and nothing stays locked while they are sent. A row whose send fails, or
   * whose relay dies, falls due again then.
   */
  public static Future<List<Entry>> takeDue(SqlClient client, String namespace, int limit, long holdMs) {
    return client.preparedQuery("UPDATE job_outbox SET due_at = now() + $3 * interval '1 millisecond' WHERE id IN "
            + "(SELECT id FROM job_outbox WHERE namespace = $1 AND due_at <= now() ORDER BY due_at LIMIT $2 "
            + "FOR UPDATE SKIP LOCKED) RETURNING " + RETURNED)
        .execute(Tuple.of(namespace, limit, holdMs))
        .map(OutboxStore::entries);
  }

  private static List<Entry> entries(RowSet<Row> rows) {
    List<Entry> entries = new ArrayList<>(rows.size());
    rows.forEach(row -> entries.add(Entry.of(row)));
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

  /** Makes rows whose send failed due again after {@code delayMs}. */
  public static Future<Void> postpone(SqlClient client, List<Entry> entries, long delayMs) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] ids = entries.stream().map(Entry::id).toArray(Long[]::new);
    return client.preparedQuery("UPDATE job_outbox SET due_at = now() + $2 * interval '1 millisecond' "
            + "WHERE id = ANY($1)")
        .execute(Tuple.of(ids, delayMs)).mapEmpty();
  }
}
