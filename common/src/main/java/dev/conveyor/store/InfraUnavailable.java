package dev.conveyor.store;

/** An external system (PostgreSQL, Redis, Kafka) cannot be reached; the message says which and how to fix it. */
public class InfraUnavailable extends RuntimeException {
  public InfraUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
