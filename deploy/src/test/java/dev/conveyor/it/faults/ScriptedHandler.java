package dev.conveyor.it.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.JobCancelled;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobFailure;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.jobs.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code test.scripted}: a handler that misbehaves as its payload says, for fault tests. Only {@link FaultyWorkerMain}
 * runs it, never the test run's own worker.
 * <ul>
 *   <li>{@code sleepMs}: work time, in 50 ms steps (default 0);</li>
 *   <li>{@code honorCancel} (default true): stop at the cancel flag; {@code honorInterrupt} (default true): stop at an
 *   interrupt, else keep working through it; {@code afterInterruptMs}: time spent, deaf, after an interrupt;</li>
 *   <li>{@code log}: a file to which "start/end &lt;job&gt; &lt;attempt&gt; &lt;epoch ms&gt;" lines are appended;</li>
 *   <li>{@code crashAttempts}: halt the whole worker process at the start of attempts up to this one;</li>
 *   <li>{@code fail} ({@code code}, {@code message}): fail after the work; {@code result}: the result to return;
 *   {@code resultBytes}: return a string of that many bytes. In {@code fail} and {@code result}, "{NUL}" stands for
 *   U+0000, which no payload may hold; in {@code result}, the string "{BIG}" for the number 1e1000000.</li>
 * </ul>
 */
public class ScriptedHandler implements JobHandler {
  @Override
  public String type() {
    return "test.scripted";
  }

  @Override
  public JsonNode run(JobContext context) {
    JsonNode p = context.payload();
    log(p, "start", context);
    if (context.attempt() <= p.path("crashAttempts").asInt(0)) {
      Runtime.getRuntime().halt(137);
    }
    try {
      work(context, p);
    } finally {
      log(p, "end", context);
    }
    if (p.has("fail")) {
      throw new JobFailure(p.get("fail").path("code").asText("scripted").replace("{NUL}", "\u0000"),
          p.get("fail").path("message").asText().replace("{NUL}", "\u0000"));
    }
    if (p.has("resultBytes")) {
      return Json.object().put("data", "x".repeat(p.get("resultBytes").asInt()));
    }
    return p.has("result") ? Json.parseStored(Json.write(p.get("result")).replace("{NUL}", "\\u0000")
        .replace("\"{BIG}\"", "1e1000000"))
        : Json.object().put("ok", true);
  }

  private static void work(JobContext context, JsonNode p) {
    long until = System.currentTimeMillis() + p.path("sleepMs").asLong(0);
    boolean honorCancel = p.path("honorCancel").asBoolean(true);
    boolean honorInterrupt = p.path("honorInterrupt").asBoolean(true);
    while (System.currentTimeMillis() < until) {
      if (honorCancel && context.cancelRequested()) {
        throw new JobCancelled();
      }
      try {
        Thread.sleep(Math.max(1, Math.min(50, until - System.currentTimeMillis())));
      } catch (InterruptedException e) {
        deafly(p.path("afterInterruptMs").asLong(0));
        if (honorInterrupt) {
          throw new JobCancelled();
        }
      }
    }
  }

  /** Spends this long ignoring interrupts, like a handler stuck in cleanup. */
  private static void deafly(long ms) {
    long until = System.currentTimeMillis() + ms;
    while (System.currentTimeMillis() < until) {
      try {
        Thread.sleep(Math.max(1, until - System.currentTimeMillis()));
      } catch (InterruptedException ignored) {
        // deaf on purpose
      }
    }
  }

  private static void log(JsonNode p, String event, JobContext context) {
    if (!p.hasNonNull("log")) {
      return;
    }
    String line = event + " " + context.jobId() + " " + context.attempt() + " " + System.currentTimeMillis() + "\n";
    try {
      Files.writeString(Path.of(p.get("log").asText()), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
