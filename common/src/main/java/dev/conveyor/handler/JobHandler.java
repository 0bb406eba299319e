package dev.conveyor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;

/**
 * The code behind one job type. Implementations are found with {@link java.util.ServiceLoader}
 * (list the class in {@code META-INF/services/dev.conveyor.handler.JobHandler}), so a jar on the
 * worker's class path adds a type without touching anything else.
 *
 * <p>{@link #run} is called on a worker or virtual thread, never on an event loop: it may block.
 */
public interface JobHandler {

  /** The type name clients submit; {@code [a-z0-9][a-z0-9._-]{0,63}}. */
  String type();

  /** Rules the API checks at submission, so a bad payload is refused with 422 before it is queued. */
  default PayloadRules payloadRules() {
    return PayloadRules.any();
  }

  /**
   * The time limit of an attempt when the job names none ({@code timeoutMs}); empty for no limit. Past it the attempt
   * fails with code {@code timeout}.
   */
  default OptionalLong defaultTimeoutMs() {
    return OptionalLong.empty();
  }

  /**
   * Does the work of one attempt and returns its result (any JSON). Throw {@link JobFailure} for a
   * failure with a code of your own; any other exception fails the attempt with code {@code handler_error}.
   */
  JsonNode run(JobContext context) throws Exception;
}
