package dev.conveyor.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  private static List<Instant> ticks(CronSchedule cron, String from, String until) {
    List<Instant> ticks = new ArrayList<>();
    Instant at = Instant.parse(from);
    Instant end = Instant.parse(until);
    while (true) {
      Instant next = cron.next(at).orElseThrow();
      if (next.isAfter(end)) {
        return ticks;
      }
      ticks.add(next);
      at = next;
    }
  }

  @Test
  void fiveAndSixFieldsInAZone() {
    CronSchedule everyFive = CronSchedule.parse("*/5 * * * *", "UTC");
    assertEquals(Instant.parse("2026-12-02T10:05:00Z"), everyFive.next(Instant.parse("2026-12-02T10:00:00Z")).get());
    CronSchedule everyTenSeconds = CronSchedule.parse("*/10 * * * * *", "UTC");
    assertEquals(Instant.parse("2026-12-02T10:00:10Z"),
        everyTenSeconds.next(Instant.parse("2026-12-02T10:00:00Z")).get());
    assertEquals(Instant.parse("2026-12-02T10:00:02Z"),
        CronSchedule.parse("* * * * * *", "UTC").next(Instant.parse("2026-12-02T10:00:01.713Z")).get(),
        "ticks fall on whole seconds");
    assertEquals(Instant.parse("2026-12-02T10:00:01Z"),
        CronSchedule.parse("* * * * * *", "UTC").latestAtOrBefore(Instant.parse("2026-12-02T10:00:01.713Z")).get());
    CronSchedule nineInParis = CronSchedule.parse("0 9 * * 1-5", "Europe/Paris");
    assertEquals(Instant.parse("2026-12-07T08:00:00Z"), nineInParis.next(Instant.parse("2026-12-04T09:00:00Z")).get(),
        "Friday 9:00 in Paris has passed; next is Monday, 8:00 UTC in winter");
    assertEquals(Instant.parse("2026-07-06T07:00:00Z"), nineInParis.next(Instant.parse("2026-07-04T00:00:00Z")).get(),
        "7:00 UTC in summer");
  }

  @Test
  void theRepeatedHourOfAutumnFiresOnce() {
    // Europe/Paris, 2026-10-25: 03:00 CEST (01:00 UTC) becomes 02:00 CET; 02:30 happens twice.
    CronSchedule halfPastTwo = CronSchedule.parse("30 2 * * *", "Europe/Paris");
    assertEquals(List.of(Instant.parse("2026-10-24T00:30:00Z"), Instant.parse("2026-10-25T00:30:00Z"),
            Instant.parse("2026-10-26T01:30:00Z")),
        ticks(halfPastTwo, "2026-10-23T12:00:00Z", "2026-10-26T12:00:00Z"));
    List<Instant> quarterHours = ticks(CronSchedule.parse("*/15 * * * *", "Europe/Paris"), "2026-10-24T23:50:00Z",
        "2026-10-25T02:10:00Z");
    assertEquals(List.of("2026-10-25T00:00:00Z", "2026-10-25T00:15:00Z", "2026-10-25T00:30:00Z",
            "2026-10-25T00:45:00Z", "2026-10-25T02:00:00Z"),
        quarterHours.stream().map(Instant::toString).toList(),
        "the wall times 02:00 to 02:45 fire in their first pass only, then 03:00 CET");
    assertEquals(Instant.parse("2026-10-25T02:00:00Z"),
        CronSchedule.parse("*/15 * * * *", "Europe/Paris").next(Instant.parse("2026-10-25T01:10:00Z")).get(),
        "from inside the second pass, the next tick is after the repeated hour");
  }

  @Test
  void aTimeSkippedInSpringFiresAtTheFirstInstantAfterTheGap() {
    // Europe/Paris, 2026-03-29: 02:00 CET (01:00 UTC) becomes 03:00 CEST; 02:30 does not happen.
    CronSchedule halfPastTwo = CronSchedule.parse("30 2 * * *", "Europe/Paris");
    assertEquals(List.of(Instant.parse("2026-03-28T01:30:00Z"), Instant.parse("2026-03-29T01:00:00Z"),
            Instant.parse("2026-03-30T00:30:00Z")),
        ticks(halfPastTwo, "2026-03-27T12:00:00Z", "2026-03-30T12:00:00Z"));
    List<Instant> quarterHours = ticks(CronSchedule.parse("*/15 * * * *", "Europe/Paris"), "2026-03-29T00:40:00Z",
        "2026-03-29T01:20:00Z");
    assertEquals(List.of("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z"),
        quarterHours.stream().map(Instant::toString).toList(), "the skipped quarters fire once, at 03:00 CEST");
  }

  @Test
  void theLatestTickAtOrBeforeNowIsTheOneAMissedScheduleFiresFor() {
    CronSchedule everyFive = CronSchedule.parse("*/5 * * * *", "UTC");
    assertEquals(Instant.parse("2026-12-02T10:55:00Z"),
        everyFive.latestAtOrBefore(Instant.parse("2026-12-02T10:57:12Z")).get());
    assertEquals(Instant.parse("2026-12-02T10:55:00Z"),
        everyFive.latestAtOrBefore(Instant.parse("2026-12-02T10:55:00Z")).get(), "a tick at now counts");
  }

  @Test
  void sixFieldsMeanWhatFiveDoWithSecondsInFront() {
    // Unix cron fires when the day of the month or the day of the week matches; so do six fields.
    Instant from = Instant.parse("2026-01-01T12:00:00Z");
    assertEquals(Instant.parse("2026-01-02T00:00:00Z"), CronSchedule.parse("0 0 13 * 5", "UTC").next(from).get());
    assertEquals(Instant.parse("2026-01-02T00:00:00Z"), CronSchedule.parse("0 0 0 13 * 5", "UTC").next(from).get());
    assertEquals(Instant.parse("2026-01-04T00:00:00Z"), CronSchedule.parse("0 0 0 * * 7", "UTC").next(from).get(),
        "7 is Sunday, as 0 is");
  }

  @Test
  void aSecondsCronAcrossTheRepeatedHourStaysOnWholeSeconds() {
    Instant next = CronSchedule.parse("* * * * * *", "Europe/Paris").next(Instant.parse("2026-10-25T01:30:00Z")).get();
    assertEquals(Instant.parse("2026-10-25T02:00:00Z"), next);
  }

  @Test
  void badExpressionsAndZonesAreRefusedWithAReason() {
    IllegalArgumentException never = assertThrows(IllegalArgumentException.class,
        () -> CronSchedule.parse("0 0 30 2 *", "UTC"));
    assertTrue(never.getMessage().contains("never fires"), never.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* * * * *", "+02:00"),
        "an offset is not a zone");
    IllegalArgumentException fields = assertThrows(IllegalArgumentException.class,
        () -> CronSchedule.parse("* * *", "UTC"));
    assertTrue(fields.getMessage().contains("5 fields"), fields.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("61 * * * *", "UTC"));
    assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("a b c d e", "UTC"));
    IllegalArgumentException zone = assertThrows(IllegalArgumentException.class,
        () -> CronSchedule.parse("* * * * *", "Mars/Olympus"));
    assertTrue(zone.getMessage().contains("Mars/Olympus"));
  }
}
