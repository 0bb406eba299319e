package dev.conveyor.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void acceptsSixtyFourLevelsAndRefusesSixtyFive() throws IOException {
    assertEquals(64, depth(Json.parse(bytes("[".repeat(64) + "]".repeat(64)))));
    assertThrows(IOException.class, () -> Json.parse(bytes("[".repeat(65) + "]".repeat(65))));
  }

  @Test
  void refusesTrailingDataDuplicateKeysAndBadUtf8() {
    assertThrows(IOException.class, () -> Json.parse(bytes("{} {}")));
    assertThrows(IOException.class, () -> Json.parse(bytes("{\"a\":1,\"a\":2}")));
    assertThrows(IOException.class, () -> Json.parse(new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"'}));
    assertThrows(IOException.class, () -> Json.parse(new byte[0]));
    assertThrows(IOException.class, () -> Json.parse("{\"type\":\"noop\"}".getBytes(StandardCharsets.UTF_16LE)),
        "UTF-16 is not accepted, though the parser alone would detect it");
  }

  private static int depth(com.fasterxml.jackson.databind.JsonNode node) {
    int depth = 0;
    while (node.isArray()) {
      depth++;
      node = node.size() == 0 ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node.get(0);
    }
    return depth;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
