package dev.conveyor.worker.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.JobCancelled;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.handler.PayloadRules;
import dev.conveyor.jobs.Json;

/** {@code sleep}: sleeps {@code ms} in {@code steps} equal parts, reporting progress after each, stopping on cancel. */
public final class SleepHandler implements JobHandler {
  @Override
  public String type() {
    return "sleep";
  }

  @Override
  public PayloadRules payloadRules() {
    return PayloadRules.object().integer("ms", true, 0, 3_600_000).integer("steps", false, 1, 1000);
  }

  @Override
  public JsonNode run(JobContext context) throws InterruptedException {
    long ms = context.payload().get("ms").longValue();
    int steps = context.payload().path("steps").asInt(10);
    long slept = 0;
    for (int step = 1; step <= steps; step++) {
      if (context.cancelRequested()) {
        throw new JobCancelled();
      }
      long until = ms * step / steps;
      Thread.sleep(until - slept);
      slept = until;
      context.progress(step * 100 / steps, "step " + step + " of " + steps);
    }
    return Json.object().put("sleptMs", slept);
  }
}
