package dev.conveyor.client;

import java.time.Duration;

/** Reading Retry-After (RFC 9110): whole seconds; an HTTP date is not sent by Conveyor and is ignored here. */
final class Retries {
  private Retries() {
  }

  static Duration retryAfter(String header) {
    if (header == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      return null;
    }
  }
}
