package dev.conveyor.client;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks the {@code Conveyor-Signature} of a callback (API.md, "Callbacks"): {@code t=<unix seconds>,v1=<hex>}, the
 * hex an HMAC-SHA256 of {@code "<t>.<body>"} keyed by the tenant's callback secret. Several {@code v1} entries may be
 * given (while a secret is rotated); one that matches is enough. A signature older or newer than the tolerance is
 * refused, so that a recorded delivery cannot be replayed later.
 */
public final class CallbackSignatures {
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private CallbackSignatures() {
  }

  public static boolean verify(String header, byte[] body, byte[] secret) {
    return verify(header, body, secret, Instant.now(), DEFAULT_TOLERANCE);
  }

  public static boolean verify(String header, byte[] body, byte[] secret, Instant now, Duration tolerance) {
    if (header == null) {
      return false;
    }
    Long t = null;
    java.util.List<String> signatures = new java.util.ArrayList<>();
    for (String part : header.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length != 2) {
        continue;
      }
      if (kv[0].equals("t")) {
        try {
          t = Long.parseLong(kv[1]);
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (kv[0].equals("v1")) {
        signatures.add(kv[1].toLowerCase(java.util.Locale.ROOT));
      }
    }
    if (t == null || Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
      return false;
    }
    byte[] expected = sign(t, body, secret).getBytes(StandardCharsets.US_ASCII);
    boolean matched = false;
    for (String signature : signatures) {
      // Constant time, and every entry checked, so timing tells nothing of which one matched.
      matched |= MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }
    return matched;
  }

  /** The hex HMAC-SHA256 of {@code "<t>.<body>"}: what a {@code v1} entry holds. */
  public static String sign(long t, byte[] body, byte[] secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
