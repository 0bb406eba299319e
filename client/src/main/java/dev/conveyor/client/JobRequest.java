package dev.conveyor.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A submit body. {@code idempotencyKey} is sent as the Idempotency-Key header; when null the client makes one, so
 * that its own retries of the request never make a second job.
 */
public record JobRequest(String type, JsonNode payload, String priority, Integer maxAttempts, Long timeoutMs,
    Instant runAt, String callbackUrl, String idempotencyKey) {

  public static JobRequest of(String type) {
    return new JobRequest(type, null, null, null, null, null, null, null);
  }

  /** @param payload any value Jackson can write as JSON (a JsonNode, a Map, a record...) */
  public static JobRequest of(String type, Object payload) {
    return of(type).withPayload(Codec.MAPPER.valueToTree(payload));
  }

  public JobRequest withPayload(JsonNode payload) {
    return new JobRequest(type, payload, priority, maxAttempts, timeoutMs, runAt, callbackUrl, idempotencyKey);
  }

  /** {@code high}, {@code normal} or {@code low}. */
  public JobRequest withPriority(String priority) {
    return new JobRequest(type, payload, priority, maxAttempts, timeoutMs, runAt, callbackUrl, idempotencyKey);
  }

  public JobRequest withMaxAttempts(int maxAttempts) {
    return new JobRequest(type, payload, priority, maxAttempts, timeoutMs, runAt, callbackUrl, idempotencyKey);
  }

  public JobRequest withTimeoutMs(long timeoutMs) {
    return new JobRequest(type, payload, priority, maxAttempts, timeoutMs, runAt, callbackUrl, idempotencyKey);
  }

  public JobRequest withRunAt(Instant runAt) {
    return new JobRequest(type, payload, priority, maxAttempts, timeoutMs, runAt, callbackUrl, idempotencyKey);
  }

  public JobRequest withCallbackUrl(String callbackUrl) {
    return new JobRequest(type, payload, priority, maxAttempts, timeoutMs, runAt, callbackUrl, idempotencyKey);
  }

  public JobRequest withIdempotencyKey(String idempotencyKey) {
    return new JobRequest(type, payload, priority, maxAttempts, timeoutMs, runAt, callbackUrl, idempotencyKey);
  }

  ObjectNode toJson() {
    ObjectNode body = Codec.MAPPER.createObjectNode().put("type", type);
    if (payload != null) {
      body.set("payload", payload);
    }
    if (priority != null) {
      body.put("priority", priority);
    }
    if (maxAttempts != null) {
      body.put("maxAttempts", maxAttempts);
    }
    if (timeoutMs != null) {
      body.put("timeoutMs", timeoutMs);
    }
    if (runAt != null) {
      body.put("runAt", runAt.toString());
    }
    if (callbackUrl != null) {
      body.put("callbackUrl", callbackUrl);
    }
    return body;
  }
}
