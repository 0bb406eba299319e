package dev.conveyor.jobs;

import java.time.Instant;
import java.util.UUID;

/**
 * The job's latest callback delivery: owed once the job is terminal, the same {@code delivery} id on every attempt.
 * {@code lastStatus} is the receiver's HTTP status (null when it gave none); {@code nextAttemptAt} is set while the
 * delivery is still owed.
 */
public record CallbackState(UUID delivery, int attempts, Integer lastStatus, String lastError, Instant deliveredAt,
    Instant nextAttemptAt) {

  /**
   * {@code pending}, {@code delivered}, {@code failed} once retries ran out or the target was refused, or
   * {@code superseded} when the job was sent around again by a retry before this delivery was done (its next terminal
   * state owes a new one).
   */
  public String state(boolean jobTerminal) {
    if (deliveredAt != null) {
      return "delivered";
    }
    if (!jobTerminal) {
      return "superseded";
    }
    return nextAttemptAt != null ? "pending" : "failed";
  }
}
