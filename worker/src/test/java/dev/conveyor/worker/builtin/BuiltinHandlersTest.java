package dev.conveyor.worker.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.JobCancelled;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobFailure;
import dev.conveyor.jobs.Json;
import dev.conveyor.worker.run.HandlerRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The built-in handlers against an in-memory context (a unit-test fake; the real one is tested end to end). */
class BuiltinHandlersTest {

  private static final class FakeContext implements JobContext {
    final JsonNode payload;
    final int attempt;
    final List<Integer> percents = new ArrayList<>();
    volatile boolean cancel;

    FakeContext(String payload, int attempt) {
      this.payload = Json.parse(payload);
      this.attempt = attempt;
    }

    public UUID jobId() {
      return UUID.randomUUID();
    }

    public String type() {
      return "t";
    }

    public JsonNode payload() {
      return payload;
    }

    public int attempt() {
      return attempt;
    }

    public String traceparent() {
      return "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    }

    public void progress(int percent, String message) {
      percents.add(percent);
    }

    public boolean cancelRequested() {
      return cancel;
    }
  }

  @Test
  void sleepReportsEachStepAndStopsOnCancel() throws Exception {
    FakeContext ctx = new FakeContext("{\"ms\":40,\"steps\":4}", 1);
    assertEquals(40, new SleepHandler().run(ctx).get("sleptMs").asInt());
    assertEquals(List.of(25, 50, 75, 100), ctx.percents);
    FakeContext cancelled = new FakeContext("{\"ms\":40,\"steps\":4}", 1);
    cancelled.cancel = true;
    assertThrows(JobCancelled.class, () -> new SleepHandler().run(cancelled));
  }

  @Test
  void failFailsTheFirstTimesAttemptsThenSucceeds() {
    JobFailure failure = assertThrows(JobFailure.class,
        () -> new FailHandler().run(new FakeContext("{\"times\":2,\"message\":\"m\"}", 2)));
    assertEquals("injected", failure.code());
    assertEquals("m", failure.getMessage());
    assertEquals(3, new FailHandler().run(new FakeContext("{\"times\":2}", 3)).get("attempt").asInt());
    assertEquals(1, new FailHandler().run(new FakeContext("{\"times\":0}", 1)).get("attempt").asInt());
  }

  @Test
  void hashMatchesAKnownDigestAndReportsProgress() throws Exception {
    FakeContext ctx = new FakeContext("{\"text\":\"abc\",\"repeat\":1000}", 1);
    JsonNode result = new HashHandler().run(ctx);
    FakeContext single = new FakeContext("{\"text\":\"abc\"}", 1);
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        new HashHandler().run(single).get("digest").asText());
    assertEquals(64, result.get("digest").asText().length());
    assertTrue(ctx.percents.size() > 10 && ctx.percents.get(ctx.percents.size() - 1) < 100);
  }

  @Test
  void everyBuiltInIsDiscoveredWithItsRules() {
    HandlerRegistry registry = HandlerRegistry.discover();
    assertEquals(List.of("fail", "hash", "noop", "sleep"), registry.declarations().keySet().stream().sorted().toList());
    assertTrue(registry.declarations().get("sleep").check(Json.parse("{}")).contains("payload.ms is required"));
    assertThrows(IllegalArgumentException.class,
        () -> new HandlerRegistry(List.of(new NoopHandler(), new NoopHandler())));
  }
}
