package dev.conveyor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.jobs.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadRulesTest {
  private static final PayloadRules RULES = PayloadRules.object()
      .integer("ms", true, 0, 100)
      .string("label", false)
      .oneOf("mode", false, "fast", "slow");

  @Test
  void acceptsPayloadsWithinTheRules() {
    assertTrue(RULES.check(Json.parse("{\"ms\":0}")).isEmpty());
    assertTrue(RULES.check(Json.parse("{\"ms\":100,\"label\":\"x\",\"mode\":\"slow\",\"extra\":[1]}")).isEmpty());
  }

  @Test
  void namesEveryBrokenRule() {
    List<String> problems = RULES.check(Json.parse("{\"ms\":101,\"label\":3,\"mode\":\"warp\"}"));
    assertEquals(List.of("payload.ms must be between 0 and 100", "payload.label must be a string",
        "payload.mode must be one of fast, slow"), problems);
    assertEquals(List.of("payload.ms is required"), RULES.check(Json.parse("{}")));
    assertEquals(List.of("payload.ms must be an integer"), RULES.check(Json.parse("{\"ms\":1.5}")));
    assertEquals(List.of("payload must be a JSON object"), RULES.check(Json.parse("[]")));
  }

  @Test
  void anyAcceptsEverythingAndRulesSurviveTheirJsonForm() {
    assertTrue(PayloadRules.any().check(Json.parse("42")).isEmpty());
    PayloadRules copy = PayloadRules.fromJson(RULES.toJson());
    assertEquals(RULES.check(Json.parse("{\"ms\":101,\"mode\":\"x\"}")), copy.check(Json.parse("{\"ms\":101,\"mode\":\"x\"}")));
    assertTrue(copy.check(Json.parse("{\"ms\":5}")).isEmpty());
    assertThrows(IllegalStateException.class, () -> PayloadRules.any().integer("x", true, 0, 1));
  }
}
