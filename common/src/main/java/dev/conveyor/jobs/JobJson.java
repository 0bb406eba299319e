package dev.conveyor.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.UUID;

/**
 * Job to JSON and back: the public representation of API.md, and the internal form kept in Redis
 * (the representation plus tenant, version and the settings the public form leaves out).
 */
public final class JobJson {
  /** Every top-level field the representation may hold, in its order: what {@code fields=} may name. */
  public static final List<String> FIELDS = List.of("id", "type", "status", "priority", "payload", "progress",
      "attempts", "maxAttempts", "timeoutMs", "runAt", "callbackUrl", "createdAt", "startedAt", "updatedAt",
      "finishedAt", "result", "error", "cancelRequested", "schedule", "callback", "nextPollAfterMs");

  private JobJson() {
  }

  /** The representation clients see; {@code nextPollAfterMs} is written only while the job is not terminal. */
  public static ObjectNode representation(Job job, Long nextPollAfterMs) {
    ObjectNode node = Json.object();
    node.put("id", job.id().toString());
    node.put("type", job.type());
    node.put("status", job.status().wire());
    node.put("priority", job.priority().wire());
    node.set("payload", job.payload());
    if (job.progress() == null) {
      node.putNull("progress");
    } else {
      node.putObject("progress")
          .put("percent", job.progress().percent())
          .put("message", job.progress().message());
    }
    node.put("attempts", job.attempts());
    node.put("maxAttempts", job.maxAttempts());
    if (job.timeoutMs() != null) {
      node.put("timeoutMs", job.timeoutMs());
    }
    if (job.runAt() != null) {
      node.put("runAt", Times.format(job.runAt()));
    }
    if (job.callbackUrl() != null) {
      node.put("callbackUrl", job.callbackUrl());
    }
    node.put("createdAt", Times.format(job.createdAt()));
    node.put("startedAt", Times.format(job.startedAt()));
    node.put("updatedAt", Times.format(job.updatedAt()));
    node.put("finishedAt", Times.format(job.finishedAt()));
    node.set("result", job.status() == JobStatus.SUCCEEDED ? job.result() : null);
    if (job.error() == null || job.status() == JobStatus.SUCCEEDED) {
      node.putNull("error");
    } else {
      node.putObject("error").put("code", job.error().code()).put("message", job.error().message());
    }
    node.put("cancelRequested", job.cancelRequested());
    if (job.schedule() != null) {
      node.put("schedule", job.schedule());
    }
    if (job.callback() != null) {
      CallbackState callback = job.callback();
      ObjectNode state = node.putObject("callback")
          .put("deliveryId", callback.delivery().toString())
          .put("state", callback.state(job.status().terminal()))
          .put("attempts", callback.attempts());
      state.put("lastStatus", callback.lastStatus());
      state.put("lastError", callback.lastError());
      state.put("deliveredAt", Times.format(callback.deliveredAt()));
      state.put("nextAttemptAt", Times.format(callback.nextAttemptAt()));
    }
    if (!job.status().terminal() && nextPollAfterMs != null) {
      node.put("nextPollAfterMs", nextPollAfterMs);
    }
    return node;
  }

  public static String toCache(Job job) {
    ObjectNode node = representation(job, null);
    node.put("tenant", job.tenant());
    node.put("version", job.version());
    node.set("storedResult", job.result());
    node.put("attemptStartedAt", Times.format(job.attemptStartedAt()));
    node.put("handlerStartedAt", Times.format(job.handlerStartedAt()));
    return Json.write(node);
  }

  public static Job fromCache(String text) {
    JsonNode n = Json.parseStored(text);
    JsonNode progress = n.get("progress");
    JsonNode error = n.get("error");
    return new Job(
        UUID.fromString(n.get("id").asText()),
        n.get("tenant").asText(),
        n.get("type").asText(),
        JobStatus.fromWire(n.get("status").asText()),
        Priority.parse(n.get("priority").asText()).orElse(Priority.NORMAL),
        n.get("payload"),
        progress.isNull() ? null : new Progress(progress.get("percent").asInt(), textOrNull(progress.get("message"))),
        n.get("attempts").asInt(),
        n.get("maxAttempts").asInt(),
        n.hasNonNull("timeoutMs") ? n.get("timeoutMs").asLong() : null,
        n.hasNonNull("runAt") ? Times.parse(n.get("runAt").asText()) : null,
        textOrNull(n.get("callbackUrl")),
        Times.parse(n.get("createdAt").asText()),
        n.hasNonNull("startedAt") ? Times.parse(n.get("startedAt").asText()) : null,
        Times.parse(n.get("updatedAt").asText()),
        n.hasNonNull("finishedAt") ? Times.parse(n.get("finishedAt").asText()) : null,
        n.hasNonNull("storedResult") ? n.get("storedResult") : null,
        error.isNull() ? null : new JobError(error.get("code").asText(), textOrNull(error.get("message"))),
        n.get("cancelRequested").asBoolean(),
        n.get("version").asLong(),
        textOrNull(n.get("schedule")),
        callbackFromCache(n.get("callback")),
        null,
        n.hasNonNull("attemptStartedAt") ? Times.parse(n.get("attemptStartedAt").asText()) : null,
        n.hasNonNull("handlerStartedAt") ? Times.parse(n.get("handlerStartedAt").asText()) : null);
  }

  private static CallbackState callbackFromCache(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return new CallbackState(UUID.fromString(n.get("deliveryId").asText()), n.get("attempts").asInt(),
        n.hasNonNull("lastStatus") ? n.get("lastStatus").asInt() : null, textOrNull(n.get("lastError")),
        n.hasNonNull("deliveredAt") ? Times.parse(n.get("deliveredAt").asText()) : null,
        n.hasNonNull("nextAttemptAt") ? Times.parse(n.get("nextAttemptAt").asText()) : null);
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
