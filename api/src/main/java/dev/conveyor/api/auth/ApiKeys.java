package dev.conveyor.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Key material: new random keys, their stored hash, and the {@code CONVEYOR_API_KEYS} declaration format. */
public final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {
  }

  public static String newKey() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return "cvk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(String key) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses {@code tenantA:keyA,tenantB:keyB} into key → tenant; throws with a clear message on bad input. */
  public static Map<String, String> parseDeclared(String declared) {
    Map<String, String> keys = new LinkedHashMap<>();
    if (declared == null || declared.isBlank()) {
      return keys;
    }
    for (String pair : declared.split(",")) {
      String trimmed = pair.trim();
      int colon = trimmed.indexOf(':');
      if (colon <= 0 || colon == trimmed.length() - 1) {
        throw new IllegalArgumentException("CONVEYOR_API_KEYS entries must be tenant:key, got '" + trimmed + "'");
      }
      String tenant = trimmed.substring(0, colon);
      if (!tenant.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException("tenant names must match [A-Za-z0-9._-]{1,64}, got '" + tenant + "'");
      }
      keys.put(trimmed.substring(colon + 1), tenant);
    }
    return keys;
  }
}
