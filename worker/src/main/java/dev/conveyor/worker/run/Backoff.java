package dev.conveyor.worker.run;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter between retries: base·2^(attempt-1), capped, then drawn from its upper half. */
public final class Backoff {
  private static final long CAP_MS = 600_000;

  private Backoff() {
  }

  public static long delayMs(int attempt, long baseMs) {
    long exponential = baseMs << Math.min(Math.max(attempt - 1, 0), 20);
    long capped = Math.min(CAP_MS, exponential);
    return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
  }
}
