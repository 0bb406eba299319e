package dev.conveyor.api.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Priority;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SubmitRequestTest {

  private static SubmitRequest.Parsed parse(String json) {
    return SubmitRequest.parse(Json.parse(json));
  }

  @Test
  void appliesTheDefaults() {
    SubmitRequest request = parse("{\"type\":\"noop\"}").request();
    assertEquals("noop", request.type());
    assertEquals(Json.object(), request.payload());
    assertEquals(Priority.NORMAL, request.priority());
    assertEquals(3, request.maxAttempts());
    assertNull(request.timeoutMs());
    assertNull(request.runAt());
    assertNull(request.callbackUrl());
  }

  @Test
  void readsEveryField() {
    SubmitRequest request = parse("{\"type\":\"a.b_c-1\",\"payload\":[1],\"priority\":\"high\",\"maxAttempts\":20,"
        + "\"timeoutMs\":1000,\"runAt\":\"2026-11-22T11:15:30.5+01:00\",\"callbackUrl\":\"https://h.example/x?y=1\"}")
        .request();
    assertEquals(Priority.HIGH, request.priority());
    assertEquals(20, request.maxAttempts());
    assertEquals(1000L, request.timeoutMs());
    assertEquals(Instant.parse("2026-11-22T10:15:30.500Z"), request.runAt());
    assertEquals("https://h.example/x?y=1", request.callbackUrl());
  }

  @Test
  void listsEveryProblemAtOnce() {
    SubmitRequest.Parsed parsed = parse("{\"type\":\"X\",\"priority\":\"urgent\",\"maxAttempts\":0,"
        + "\"timeoutMs\":\"5\",\"runAt\":5,\"callbackUrl\":\"mailto:a@b\"}");
    assertFalse(parsed.valid());
    assertEquals(6, parsed.problems().size(), parsed.problems().toString());
  }

  @Test
  void refusesNonObjectsAndMissingType() {
    assertEquals("the body must be a JSON object", parse("[]").problems().get(0));
    assertEquals("type is required", parse("{}").problems().get(0));
    assertTrue(parse("{\"type\":\"" + "a".repeat(64) + "\"}").valid());
    assertFalse(parse("{\"type\":\"" + "a".repeat(65) + "\"}").valid());
  }

  @Test
  void refusesTheNulCharacterAnywhereInThePayload() {
    for (String payload : new String[] {"\"a\\u0000b\"", "{\"k\":[1,{\"s\":\"\\u0000\"}]}", "{\"k\\u0000\":1}"}) {
      SubmitRequest.Parsed parsed = SubmitRequest.parse(Json.parse("{\"type\":\"noop\",\"payload\":" + payload + "}"));
      assertFalse(parsed.valid(), payload);
      assertTrue(parsed.problems().get(0).contains("U+0000"));
    }
    assertTrue(SubmitRequest.parse(Json.parse("{\"type\":\"noop\",\"payload\":{\"s\":\"\\u0001\"}}")).valid());
  }
}
