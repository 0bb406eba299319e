package dev.conveyor.worker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnTakingTest {

  private static List<String> turns(TurnTaking<String> turns, List<String> waiting, int n) {
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      chosen.add(turns.next(waiting));
    }
    return chosen;
  }

  @Test
  void theBestRankedGoesFirstAndALowerOneGetsOneTurnInShare() {
    List<String> chosen = turns(new TurnTaking<>(10), List.of("high", "low"), 30);
    assertEquals(3, chosen.stream().filter("low"::equals).count());
    assertEquals("low", chosen.get(9), "the tenth start goes to the one passed over nine times");
    assertEquals(List.of("high", "high", "high"), chosen.subList(0, 3));
  }

  @Test
  void everyLowerContenderGetsItsShareWhenThreeWait() {
    List<String> chosen = turns(new TurnTaking<>(10), List.of("high", "normal", "low"), 100);
    assertTrue(chosen.stream().filter("high"::equals).count() >= 80, chosen.toString());
    // Once both are owed a turn at the same start, one of them waits one more.
    for (int from = 0; from + 11 <= 100; from++) {
      List<String> window = chosen.subList(from, from + 11);
      assertTrue(window.contains("normal") && window.contains("low"), "one in every eleven at worst: " + window);
    }
  }

  @Test
  void aContenderThatStopsWaitingLosesItsCount() {
    TurnTaking<String> turns = new TurnTaking<>(3);
    turns.next(List.of("a", "b"));
    turns.next(List.of("a", "b"));
    turns.next(List.of("a"));
    assertEquals("a", turns.next(List.of("a", "b")), "b's count began again when it stopped waiting");
    assertEquals("a", turns.next(List.of("a", "b")));
    assertEquals("b", turns.next(List.of("a", "b")));
  }

  @Test
  void aLoneContenderAlwaysGoes() {
    assertEquals(List.of("low", "low"), turns(new TurnTaking<>(10), List.of("low"), 2));
    assertThrows(IllegalArgumentException.class, () -> new TurnTaking<String>(1));
  }
}
