package dev.conveyor.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.Optional;

/**
 * A cron expression in a time zone: 5 fields (minute hour day month weekday) or 6 (seconds first), parsed by
 * cron-utils. Ticks are wall-clock times in the zone, so across a change of offset: the hour that repeats fires once
 * (at its first occurrence), and a time the clock skips fires at the first instant after the gap.
 */
public final class CronSchedule {
  private static final CronParser FIVE_FIELDS = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  /** Unix cron with a seconds field first: the same ranges, names and day rules as the five fields. */
  private static final CronParser SIX_FIELDS = new CronParser(CronDefinitionBuilder.defineCron()
      .withSeconds().withValidRange(0, 59).withStrictRange().and()
      .withMinutes().withValidRange(0, 59).withStrictRange().and()
      .withHours().withValidRange(0, 23).withStrictRange().and()
      .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
      .withMonth().withValidRange(1, 12).withStrictRange().and()
      .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
      .instance());
  /** A wall-clock time with no offset changes stands for the zone's own, which cron-utils then need not know. */
  private static final ZoneOffset WALL = ZoneOffset.UTC;

  private final String expression;
  private final ZoneId zone;
  private final ExecutionTime wallTicks;

  private CronSchedule(String expression, ZoneId zone, ExecutionTime wallTicks) {
    this.expression = expression;
    this.zone = zone;
    this.wallTicks = wallTicks;
  }

  /** @throws IllegalArgumentException naming what is wrong with the expression or the zone, or if it never fires */
  public static CronSchedule parse(String expression, String timezone) {
    if (!ZoneId.getAvailableZoneIds().contains(timezone)) {
      throw new IllegalArgumentException("timezone '" + timezone + "' is not an IANA time zone name");
    }
    ZoneId zone = ZoneId.of(timezone);
    String trimmed = expression.trim();
    int fields = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    if (fields != 5 && fields != 6) {
      throw new IllegalArgumentException("cron must have 5 fields (minute hour day month weekday) or 6 (seconds "
          + "first), not " + fields);
    }
    try {
      ExecutionTime ticks = ExecutionTime.forCron((fields == 5 ? FIVE_FIELDS : SIX_FIELDS).parse(trimmed).validate());
      CronSchedule schedule = new CronSchedule(trimmed, zone, ticks);
      if (schedule.next(java.time.Instant.now()).isEmpty()) {
        throw new IllegalArgumentException("never fires");
      }
      return schedule;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cron '" + trimmed + "' is not valid: " + e.getMessage());
    }
  }

  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first tick strictly after {@code after}; empty if the expression never fires again. */
  public Optional<Instant> next(Instant after) {
    // Ticks fall on whole seconds; cron-utils would keep the fraction of the time it starts from.
    ZonedDateTime wall = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS).atZone(WALL);
    for (int tries = 0; tries < 1_000; tries++) {
      Optional<ZonedDateTime> tick = wallTicks.nextExecution(wall);
      if (tick.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime tickWall = tick.get().toLocalDateTime();
      Instant instant = instantOf(tickWall);
      if (instant.isAfter(after)) {
        return Optional.of(instant);
      }
      // A wall time of a gap already fired for, or of the repeated hour's second pass, is not a tick of its own:
      // past a repeated hour, go on from its end at once.
      ZoneOffsetTransition transition = zone.getRules().getTransition(tickWall);
      wall = transition != null && transition.isOverlap()
          ? transition.getDateTimeBefore().minusSeconds(1).atZone(WALL) : tick.get();
    }
    return Optional.empty();
  }

  /** The latest tick at or before {@code now}: the one a schedule that missed ticks fires for. */
  public Optional<Instant> latestAtOrBefore(Instant now) {
    ZonedDateTime wall = LocalDateTime.ofInstant(now, zone).truncatedTo(ChronoUnit.SECONDS).atZone(WALL).plusNanos(1);
    for (int tries = 0; tries < 1_000; tries++) {
      Optional<ZonedDateTime> tick = wallTicks.lastExecution(wall);
      if (tick.isEmpty()) {
        return Optional.empty();
      }
      Instant instant = instantOf(tick.get().toLocalDateTime());
      if (!instant.isAfter(now)) {
        return Optional.of(instant);
      }
      wall = tick.get();
    }
    return Optional.empty();
  }

  /** A wall-clock time as an instant: its first occurrence if the clock repeats it, the gap's end if it skips it. */
  private Instant instantOf(LocalDateTime wall) {
    ZoneOffsetTransition transition = zone.getRules().getTransition(wall);
    if (transition != null && transition.isGap()) {
      return transition.getInstant();
    }
    return wall.atZone(zone).withEarlierOffsetAtOverlap().toInstant();
  }
}
