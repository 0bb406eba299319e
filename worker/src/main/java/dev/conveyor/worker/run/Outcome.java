package dev.conveyor.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.jobs.JobError;

/** How one attempt ended. */
public sealed interface Outcome {
  record Succeeded(JsonNode result) implements Outcome {
  }

  record Failed(JobError error) implements Outcome {
  }

  record Cancelled() implements Outcome {
  }

  /** The worker stopped during the attempt; the job goes back to the queue and the attempt does not count. */
  record Interrupted() implements Outcome {
  }
}
