package dev.conveyor.worker.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.handler.PayloadRules;
import dev.conveyor.jobs.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** {@code hash}: digests {@code text} repeated {@code repeat} times; CPU-bound, with progress and cancel checks. */
public final class HashHandler implements JobHandler {
  private static final int CHECKS = 100;

  @Override
  public String type() {
    return "hash";
  }

  @Override
  public PayloadRules payloadRules() {
    return PayloadRules.object()
        .string("text", true)
        .integer("repeat", false, 1, 10_000_000)
        .oneOf("algorithm", false, "SHA-256", "SHA-512");
  }

  @Override
  public JsonNode run(JobContext context) throws NoSuchAlgorithmException {
    byte[] text = context.payload().get("text").textValue().getBytes(StandardCharsets.UTF_8);
    int repeat = context.payload().path("repeat").asInt(1);
    MessageDigest digest = MessageDigest.getInstance(context.payload().path("algorithm").asText("SHA-256"));
    int every = Math.max(1, repeat / CHECKS);
    for (int i = 1; i <= repeat; i++) {
      digest.update(text);
      if (i % every == 0 && i < repeat) {
        context.checkCancelled();
        context.progress((int) ((long) i * 100 / repeat), i + " of " + repeat);
      }
    }
    return Json.object().put("digest", HexFormat.of().formatHex(digest.digest()));
  }
}
