package dev.conveyor.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;

/**
 * A job as the server last described it. Fields a partial answer ({@code fields=}) left out are null (0 and false
 * for the numbers and flags); {@link #json} is the representation as received.
 */
public record Job(String id, String type, String status, String priority, JsonNode payload, Progress progress,
    int attempts, int maxAttempts, Instant createdAt, Instant startedAt, Instant finishedAt, JsonNode result,
    JobError error, boolean cancelRequested, String schedule, Long nextPollAfterMs, JsonNode json) {
  private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled");

  /** {@code progress}: percent 0..100 and an optional message. */
  public record Progress(int percent, String message) {
  }

  /** {@code error}: the last failure, while retried or once failed. */
  public record JobError(String code, String message) {
  }

  public boolean terminal() {
    return TERMINAL.contains(status);
  }

  public boolean succeeded() {
    return "succeeded".equals(status);
  }

  static Job from(JsonNode n) {
    JsonNode progress = n.path("progress");
    JsonNode error = n.path("error");
    return new Job(text(n, "id"), text(n, "type"), text(n, "status"), text(n, "priority"), value(n, "payload"),
        progress.isObject() ? new Progress(progress.path("percent").asInt(), text(progress, "message")) : null,
        n.path("attempts").asInt(), n.path("maxAttempts").asInt(), time(n, "createdAt"), time(n, "startedAt"),
        time(n, "finishedAt"), value(n, "result"),
        error.isObject() ? new JobError(text(error, "code"), text(error, "message")) : null,
        n.path("cancelRequested").asBoolean(), text(n, "schedule"),
        n.hasNonNull("nextPollAfterMs") ? n.get("nextPollAfterMs").asLong() : null, n);
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  private static JsonNode value(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field) : null;
  }

  private static Instant time(JsonNode n, String field) {
    return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
  }
}
