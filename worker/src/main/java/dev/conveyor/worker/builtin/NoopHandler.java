package dev.conveyor.worker.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;

/** {@code noop}: does nothing and returns its payload. */
public final class NoopHandler implements JobHandler {
  @Override
  public String type() {
    return "noop";
  }

  @Override
  public JsonNode run(JobContext context) {
    return context.payload();
  }
}
