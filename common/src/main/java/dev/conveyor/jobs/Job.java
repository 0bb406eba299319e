package dev.conveyor.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * One job as stored in PostgreSQL, the source of truth. {@code version} grows with every change
 * and orders cache writes; {@code progress}, {@code result}, {@code error}, the times, {@code schedule} (the
 * recurring schedule that made the job, if any) and {@code callback} (its latest callback delivery) may be null.
 * {@code traceparent} is the W3C trace context the job was made in; it is stored with it and travels on its Kafka
 * records, and is null on jobs read back (nothing that reads a job needs it). {@code attemptStartedAt} is when the
 * current attempt was claimed, {@code handlerStartedAt} when its handler began, once a progress report has told it:
 * the poll hints measure the attempt's progress rate from there. Neither is part of the API's answer.
 */
public record Job(
    UUID id,
    String tenant,
    String type,
    JobStatus status,
    Priority priority,
    JsonNode payload,
    Progress progress,
    int attempts,
    int maxAttempts,
    Long timeoutMs,
    Instant runAt,
    String callbackUrl,
    Instant createdAt,
    Instant startedAt,
    Instant updatedAt,
    Instant finishedAt,
    JsonNode result,
    JobError error,
    boolean cancelRequested,
    long version,
    String schedule,
    CallbackState callback,
    String traceparent,
    Instant attemptStartedAt,
    Instant handlerStartedAt) {

  /** A job as submitted, in the trace context it was made in; no attempt of it has started. */
  public Job(UUID id, String tenant, String type, JobStatus status, Priority priority, JsonNode payload,
      Progress progress, int attempts, int maxAttempts, Long timeoutMs, Instant runAt, String callbackUrl,
      Instant createdAt, Instant startedAt, Instant updatedAt, Instant finishedAt, JsonNode result, JobError error,
      boolean cancelRequested, long version, String schedule, CallbackState callback, String traceparent) {
    this(id, tenant, type, status, priority, payload, progress, attempts, maxAttempts, timeoutMs, runAt, callbackUrl,
        createdAt, startedAt, updatedAt, finishedAt, result, error, cancelRequested, version, schedule, callback,
        traceparent, null, null);
  }

  /** When it was first due: its {@code runAt} if that came after it was made, else when it was made. */
  public Instant firstDue() {
    return runAt != null && runAt.isAfter(createdAt) ? runAt : createdAt;
  }

  /** A job as read back, its trace context left out. */
  public Job(UUID id, String tenant, String type, JobStatus status, Priority priority, JsonNode payload,
      Progress progress, int attempts, int maxAttempts, Long timeoutMs, Instant runAt, String callbackUrl,
      Instant createdAt, Instant startedAt, Instant updatedAt, Instant finishedAt, JsonNode result, JobError error,
      boolean cancelRequested, long version, String schedule, CallbackState callback) {
    this(id, tenant, type, status, priority, payload, progress, attempts, maxAttempts, timeoutMs, runAt, callbackUrl,
        createdAt, startedAt, updatedAt, finishedAt, result, error, cancelRequested, version, schedule, callback, null,
        null, null);
  }

  /** A job no callback delivery was owed for yet. */
  public Job(UUID id, String tenant, String type, JobStatus status, Priority priority, JsonNode payload,
      Progress progress, int attempts, int maxAttempts, Long timeoutMs, Instant runAt, String callbackUrl,
      Instant createdAt, Instant startedAt, Instant updatedAt, Instant finishedAt, JsonNode result, JobError error,
      boolean cancelRequested, long version, String schedule) {
    this(id, tenant, type, status, priority, payload, progress, attempts, maxAttempts, timeoutMs, runAt, callbackUrl,
        createdAt, startedAt, updatedAt, finishedAt, result, error, cancelRequested, version, schedule, null, null,
        null, null);
  }
}
