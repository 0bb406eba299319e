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
    assertEquals(64, slots.slots("t", running(64), 0, 0).count());
    JobStore.Running few = slots.slots("t", running(11), 0, 1_000);
    assertEquals(63, few.count(), "64 a second ago, fallen by a 60th of a half: 63 slots");
    assertEquals(running(63), few, "how long they ran and what their progress says, as counted");
  }

  @Test
  void theSlotsSeenFallByHalfEachHalfLifeAndAHigherCountRaisesThemAtOnce() {
    RunningSlots slots = new RunningSlots();
    slots.slots("t", running(64), 0, 0);
    assertEquals(32, slots.slots("t", running(1), 0, (long) RunningSlots.HALF_LIFE_MS).count());
    assertEquals(16, slots.slots("t", running(1), 0, 2 * (long) RunningSlots.HALF_LIFE_MS).count());
    assertEquals(100, slots.slots("t", running(100), 0, 2 * (long) RunningSlots.HALF_LIFE_MS + 1).count());
  }

  @Test
  void howManyRanAtOnceOverTheBacklogNowRaisesTheSlotsWhileItWaits() {
    RunningSlots slots = new RunningSlots();
    slots.slots("t", running(20), 0, 0);
    assertEquals(58, slots.slots("t", running(14), 58.4, 1).count(), "14 counted running, 58 measured in flight");
    assertEquals(18, slots.slots("t", running(14), 0, (long) RunningSlots.HALF_LIFE_MS / 10).count(),
        "the backlog gone: the counts seen, not the measure");
  }

  @Test
  void noneRunningStaysNoneAndTypesAreApartAndForgotten() {
    RunningSlots slots = new RunningSlots();
    slots.slots("a", running(64), 0, 0);
    assertSame(JobStore.Running.NONE, slots.slots("a", JobStore.Running.NONE, 0, 10), "no worker may take it");
    assertEquals(2, slots.slots("b", running(2), 0, 10).count(), "another type's slots are its own");
    slots.retain(List.of("b"));
    assertEquals(3, slots.slots("a", running(3), 0, 20).count(), "forgotten: only what runs now");
  }
}
