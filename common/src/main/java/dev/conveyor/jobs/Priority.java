package dev.conveyor.jobs;

import java.util.Locale;
import java.util.Optional;

public enum Priority {
  HIGH, NORMAL, LOW;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Priority> parse(String value) {
    for (Priority p : values()) {
      if (p.wire().equals(value)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
