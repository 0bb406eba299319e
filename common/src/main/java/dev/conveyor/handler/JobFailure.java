package dev.conveyor.handler;

/** A failed attempt with a machine-readable code, shown to clients as {@code error.code}. */
public class JobFailure extends RuntimeException {
  private final String code;

  public JobFailure(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
