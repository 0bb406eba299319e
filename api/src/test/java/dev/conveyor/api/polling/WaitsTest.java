package dev.conveyor.api.polling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class WaitsTest {

  @Test
  void readsTheWaitPreferenceAmongOthersAndCapsIt() {
    assertEquals(OptionalInt.of(10), Waits.prefer(List.of("wait=10")));
    assertEquals(OptionalInt.of(5), Waits.prefer(List.of("respond-async, wait=5")));
    assertEquals(OptionalInt.of(7), Waits.prefer(List.of("handling=lenient", "Wait=7")));
    assertEquals(OptionalInt.of(30), Waits.prefer(List.of("wait=100")));
  }

  @Test
  void ignoresUnreadableOrZeroWaits() {
    assertEquals(OptionalInt.empty(), Waits.prefer(List.of("wait=soon")));
    assertEquals(OptionalInt.empty(), Waits.prefer(List.of("wait=0")));
    assertEquals(OptionalInt.empty(), Waits.prefer(List.of("return=minimal")));
    assertEquals(OptionalInt.empty(), Waits.prefer(List.of()));
  }
}
