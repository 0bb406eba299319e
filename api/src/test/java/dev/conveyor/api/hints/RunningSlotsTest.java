package dev.conveyor.api.hints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.conveyor.store.JobStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunningSlotsTest {
  private static JobStore.Running running(long count) {
    return new JobStore.Running(count, 900, 100, 400, JobStore.FirstAttempts.NONE);
  }

  @Test
  void aFewRunningWhereManyRanLatelyCountAsTheSlotsThatRanAndTheRestIsKept() {
    RunningSlots slots = new RunningSlots();
    assertEquals(64, slots.slots("t", running(64), 0).count());
    JobStore.Running few = slots.slots("t", running(11), 1_000);
    assertEquals(63, few.count(), "64 a second ago, fallen by a 60th of a half: 63 slots");
    assertEquals(running(63), few, "how long they ran and what their progress says, as counted");
  }

  @Test
  void theSlotsSeenFallByHalfEachHalfLifeAndAHigherCountRaisesThemAtOnce() {
    RunningSlots slots = new RunningSlots();
    slots.slots("t", running(64), 0);
    assertEquals(32, slots.slots("t", running(1), (long) RunningSlots.HALF_LIFE_MS).count());
    assertEquals(16, slots.slots("t", running(1), 2 * (long) RunningSlots.HALF_LIFE_MS).count());
    assertEquals(100, slots.slots("t", running(100), 2 * (long) RunningSlots.HALF_LIFE_MS + 1).count());
  }

  @Test
  void noneRunningStaysNoneAndTypesAreApartAndForgotten() {
    RunningSlots slots = new RunningSlots();
    slots.slots("a", running(64), 0);
    assertSame(JobStore.Running.NONE, slots.slots("a", JobStore.Running.NONE, 10), "no worker may take it");
    assertEquals(2, slots.slots("b", running(2), 10).count(), "another type's slots are its own");
    slots.retain(List.of("b"));
    assertEquals(3, slots.slots("a", running(3), 20).count(), "forgotten: only what runs now");
  }
}
