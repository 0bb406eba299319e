package dev.conveyor.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * One job as stored in PostgreSQL, the source of truth. {@code version} grows with every change
 * and orders cache writes; {@code progress}, {@code result}, {@code error}, the times and {@code schedule} (the
 * recurring schedule that made the job, if any) may be null.
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
    String schedule) {
}
