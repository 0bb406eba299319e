package dev.conveyor.worker.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void growsExponentiallyWithJitterInTheUpperHalf() {
    for (int i = 0; i < 200; i++) {
      long first = Backoff.delayMs(1, 1000);
      long third = Backoff.delayMs(3, 1000);
      assertTrue(first >= 500 && first <= 1000, "attempt 1: " + first);
      assertTrue(third >= 2000 && third <= 4000, "attempt 3: " + third);
    }
  }

  @Test
  void isCappedAtTenMinutes() {
    long late = Backoff.delayMs(40, 1000);
    assertTrue(late >= 300_000 && late <= 600_000, "attempt 40: " + late);
  }
}
