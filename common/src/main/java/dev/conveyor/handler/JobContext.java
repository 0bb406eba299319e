package dev.conveyor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

/** What a running handler knows of its job, and how it reports back. Safe to call from the handler's thread. */
public interface JobContext {

  UUID jobId();

  String type();

  JsonNode payload();

  /** 1 for the first attempt. */
  int attempt();

  /**
   * Reports progress of this attempt. Percent is clamped to 0..100 and never goes down within an attempt;
   * reports are coalesced, so calling this often is cheap.
   */
  void progress(int percent, String message);

  /**
   * The W3C {@code traceparent} of this run: a span of the trace the job was submitted in (the submit's own
   * {@code traceparent}, or one the API started), for the handler to pass on to what it calls. Each run has a span of
   * its own.
   */
  String traceparent();

  /**
   * True once this attempt should stop: a client asked to cancel, the attempt ran past its timeout, or the worker is
   * stopping. The handler's thread is also interrupted in the last two cases. A cooperative handler then stops, for
   * example by throwing {@link JobCancelled}; one that ignores both is cut off and its worker restarted.
   */
  boolean cancelRequested();

  /** Throws {@link JobCancelled} if the attempt should stop; the convenient check between steps. */
  default void checkCancelled() {
    if (cancelRequested()) {
      throw new JobCancelled();
    }
  }
}
