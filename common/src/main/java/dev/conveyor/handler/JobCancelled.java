package dev.conveyor.handler;

/** Thrown by a handler that stopped because its job was cancelled; the job ends {@code cancelled}. */
public class JobCancelled extends RuntimeException {
  public JobCancelled() {
    super("cancelled", null, false, false);
  }
}
