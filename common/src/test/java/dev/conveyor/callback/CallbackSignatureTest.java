package dev.conveyor.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CallbackSignatureTest {
  @Test
  void signsTimestampDotBodyWithHmacSha256InHex() {
    // Expected value from Python's hmac module, not from this code.
    assertEquals("t=1700000000,v1=80e8d098018f757aa814ab1abb924f35d304affa1d93d29611a54696207eb7c3",
        CallbackSignature.header("whsec_test", 1_700_000_000L, "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
  }
}
