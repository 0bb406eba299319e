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

  /** True once a client asked to cancel; a cooperative handler then stops, e.g. by throwing {@link JobCancelled}. */
  boolean cancelRequested();

  /** Throws {@link JobCancelled} if a cancel was requested; the convenient check between steps. */
  default void checkCancelled() {
    if (cancelRequested()) {
      throw new JobCancelled();
    }
  }
}
