package dev.conveyor.jobs;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** UUIDv7 job ids (RFC 9562): time-ordered, so new rows land at the end of the primary key index. */
public final class JobIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern CANONICAL =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  private JobIds() {
  }

  public static UUID next() {
    long millis = System.currentTimeMillis();
    long randA = RANDOM.nextInt(1 << 12);
    long msb = (millis << 16) | 0x7000L | randA;
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  /** Only the canonical lower-case UUIDv7 form names a job; anything else names nothing. */
  public static Optional<UUID> parse(String text) {
    if (text == null || !CANONICAL.matcher(text).matches()) {
      return Optional.empty();
    }
    return Optional.of(UUID.fromString(text));
  }
}
