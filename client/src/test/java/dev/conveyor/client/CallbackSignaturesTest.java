package dev.conveyor.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CallbackSignaturesTest {
  private static final byte[] SECRET = "whsec_test".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BODY = "{\"id\":\"j1\",\"status\":\"succeeded\"}".getBytes(StandardCharsets.UTF_8);
  private static final long T = 1_764_700_000L;
  /** HMAC-SHA256 of "1764700000.<body>" keyed "whsec_test", computed apart (Python's hmac module). */
  private static final String V1 = "f713c5b7ce93c67bf61a6c38161c0a42ab3eda2d794b56261e3bb01df1a63dd8";
  private static final Instant NOW = Instant.ofEpochSecond(T + 10);

  @Test
  void signsAsApiMdSays() {
    assertEquals(V1, CallbackSignatures.sign(T, BODY, SECRET));
  }

  @Test
  void acceptsAGoodSignatureAmongSeveralAndInAnyCase() {
    assertTrue(CallbackSignatures.verify("t=" + T + ",v1=" + V1, BODY, SECRET, NOW, Duration.ofMinutes(5)));
    assertTrue(CallbackSignatures.verify("t=" + T + ", v1=" + "0".repeat(64) + ", v1=" + V1.toUpperCase(), BODY,
        SECRET, NOW, Duration.ofMinutes(5)), "while a secret rotates, one match is enough");
  }

  @Test
  void refusesATamperedBodyAnotherSecretAStaleTimeAndMalformedHeaders() {
    Duration tolerance = Duration.ofMinutes(5);
    String header = "t=" + T + ",v1=" + V1;
    assertFalse(CallbackSignatures.verify(header, "{\"id\":\"j2\"}".getBytes(StandardCharsets.UTF_8), SECRET, NOW,
        tolerance));
    assertFalse(CallbackSignatures.verify(header, BODY, "other".getBytes(StandardCharsets.UTF_8), NOW, tolerance));
    assertFalse(CallbackSignatures.verify(header, BODY, SECRET, NOW.plus(Duration.ofMinutes(6)), tolerance),
        "a replay after the tolerance");
    assertFalse(CallbackSignatures.verify("t=" + (T + 1) + ",v1=" + V1, BODY, SECRET, NOW, tolerance),
        "the time is signed too");
    for (String bad : new String[] {null, "", "v1=" + V1, "t=abc,v1=" + V1, "t=" + T, "t=" + T + ",v0=" + V1}) {
      assertFalse(CallbackSignatures.verify(bad, BODY, SECRET, NOW, tolerance), String.valueOf(bad));
    }
  }
}
