package dev.conveyor.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void parsesDeclaredKeys() {
    assertEquals(Map.of("keyA", "tenantA", "keyB", "tenantB"), ApiKeys.parseDeclared(" tenantA:keyA, tenantB:keyB "));
    assertTrue(ApiKeys.parseDeclared("").isEmpty());
    assertEquals(Map.of("k:with:colons", "t"), ApiKeys.parseDeclared("t:k:with:colons"));
  }

  @Test
  void refusesMalformedDeclarations() {
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.parseDeclared("justakey"));
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.parseDeclared("tenant:"));
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.parseDeclared("bad tenant:k"));
  }

  @Test
  void hashesAreStableHexAndKeysAreRandom() {
    assertEquals(ApiKeys.hash("k"), ApiKeys.hash("k"));
    assertEquals(64, ApiKeys.hash("k").length());
    assertNotEquals(ApiKeys.newKey(), ApiKeys.newKey());
  }
}
