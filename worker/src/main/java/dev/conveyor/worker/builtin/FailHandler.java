package dev.conveyor.worker.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobFailure;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.handler.PayloadRules;
import dev.conveyor.jobs.Json;

/** {@code fail}: attempts 1..times fail with code {@code injected}; later attempts succeed. */
public final class FailHandler implements JobHandler {
  @Override
  public String type() {
    return "fail";
  }

  @Override
  public PayloadRules payloadRules() {
    return PayloadRules.object().integer("times", false, 0, 20).string("message", false);
  }

  @Override
  public JsonNode run(JobContext context) {
    int times = context.payload().path("times").asInt(1);
    String message = context.payload().path("message").asText("injected failure");
    if (context.attempt() <= times) {
      throw new JobFailure("injected", message);
    }
    return Json.object().put("attempt", context.attempt());
  }
}
