package dev.conveyor.jobs;

/** The last failure of a job: a stable machine code and a human message, both storable whatever a handler threw. */
public record JobError(String code, String message) {
  private static final int MAX_CODE_CHARS = 64;
  private static final int MAX_MESSAGE_CHARS = 2_000;

  public JobError {
    code = StoredText.clean(code, MAX_CODE_CHARS);
    message = StoredText.clean(message, MAX_MESSAGE_CHARS);
  }
}
