package dev.conveyor.api.hints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What each finished job weighs in its type's histories, flooded or not. */
class FloodWeightTest {
  private static final double W = FloodWeight.FLOOD_WEIGHT;

  @Test
  void aQuietTypesJobsWeighOneEach() {
    FloodWeight floods = new FloodWeight();
    assertEquals(1, floods.share("t", 0, 0, 0));
    assertEquals(1, floods.share("t", 2, 3, 250), "2 finished and 3 waiting lately: no flood");
    assertEquals(1, floods.share("t", (long) W, 0, 500), "as many as a flood weighs: each is one job still");
  }

  @Test
  void aBacklogsJobsWeighAFloodTogether() {
    FloodWeight floods = new FloodWeight();
    floods.share("t", 0, 0, 0);
    assertEquals(W / 250, floods.share("t", 50, 1_950, 250), 1e-12,
        "its first 50 finished: the waiting count up to four times as many");
    assertEquals(W / 2_000, floods.share("t", 500, 1_500, 750), 1e-12, "as it drains, finished and waiting alike");
    assertEquals(W / 2_000, floods.share("t", 2_000, 0, 2_000), 1e-12, "its last jobs, with none waiting");
  }

  @Test
  void aFloodIsForgottenOnceItsJobsFinishedLongerAgoThanTheWindow() {
    FloodWeight floods = new FloodWeight();
    floods.share("t", 0, 2_000, 0);
    floods.share("t", 2_000, 0, 2_000);
    assertEquals(W / 3_000, floods.share("t", 3_000, 0, 2_500), 1e-12,
        "3,000 finished since the newest count a window old, at 0");
    assertEquals(1, floods.share("t", 3_005, 0, 2_500 + FloodWeight.WINDOW_MS),
        "5 finished since the newest count a window old, none waiting: the flood is over");
  }

  @Test
  void whatFinishedWhileTheRefreshesPausedIsAllInTheWindow() {
    FloodWeight floods = new FloodWeight();
    floods.share("t", 0, 0, 0);
    floods.share("t", 50, 1_950, 250);
    assertEquals(W / 2_000, floods.share("t", 2_050, 0, 5_000), 1e-12,
        "2,000 finished in the 4.75 s since the last count: a flood, not the 0 in the last 2 s");
  }

  @Test
  void aTypeUnderSteadyLoadKeepsAKnownHistory() {
    FloodWeight floods = new FloodWeight();
    double total = 0;
    // 100 jobs a second with 50,000 waiting, for five minutes: each refresh's finishes added, the history decaying.
    for (long ms = 0, finished = 0; ms <= 300_000; ms += 250, finished += 25) {
      total = total * Math.pow(0.5, 250 / 60_000.0) + 25 * floods.share("t", finished, 50_000, ms);
    }
    assertTrue(total > 50, "weighs " + total + ": known from " + DurationHistory.MIN_WEIGHT);
  }

  @Test
  void countersThatStartedAgainAreCountedFromThere() {
    FloodWeight floods = new FloodWeight();
    floods.share("t", 5_000, 0, 0);
    assertEquals(1, floods.share("t", 8, 0, 250), "Redis lost the counters: 8 since, not -4,992");
    floods.retain(List.of());
    assertEquals(1, floods.share("t", 5_000, 0, 500), "a type forgotten starts again too");
  }
}
