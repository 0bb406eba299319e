package dev.conveyor.deps;

/** A call to an external system failed because the system cannot be reached now, not because of the request. */
public final class DependencyUnavailable extends RuntimeException {
  private final String dependency;

  public DependencyUnavailable(String dependency, Throwable cause) {
    super(dependency + " is unavailable" + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()),
        cause, false, false);
    this.dependency = dependency;
  }

  public String dependency() {
    return dependency;
  }
}
