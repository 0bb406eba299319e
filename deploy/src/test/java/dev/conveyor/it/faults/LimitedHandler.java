package dev.conveyor.it.faults;

import java.util.OptionalLong;

/** {@code test.limited}: {@link ScriptedHandler} with a default time limit of one second, declared by the type. */
public final class LimitedHandler extends ScriptedHandler {
  @Override
  public String type() {
    return "test.limited";
  }

  @Override
  public OptionalLong defaultTimeoutMs() {
    return OptionalLong.of(1_000);
  }
}
