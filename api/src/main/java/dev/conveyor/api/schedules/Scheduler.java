package dev.conveyor.api.schedules;

import dev.conveyor.api.jobs.SubmitRequest;
import dev.conveyor.deps.Dependency;
import dev.conveyor.jobs.Job;
import dev.conveyor.queue.OutboxRelay;
import dev.conveyor.schedule.CronSchedule;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.OutboxStore;
import dev.conveyor.store.ScheduleStore;
import dev.conveyor.trace.TraceContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fires due schedules, in every API process. Each round takes the namespace's due schedules in one transaction
 * (SKIP LOCKED, so processes share them) and, for each, stores the jobs of its due ticks and moves its next tick past
 * now, together: a tick makes exactly one job whatever crashes, and ticks missed while nothing ran fire once, for the
 * latest of them. A unique index on (schedule, tick) backs this up. The records are then sent at once, as a submit's
 * are.
 */
public final class Scheduler {
  private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());
  private static final long ROUND_MS = 250;
  private static final int BATCH = 50;
  private static final long DIRECT_SEND_GRACE_MS = 5_000;
  /**
   * Late by less than this, a schedule was only slow to be fired (a round or two late): each tick it missed still
   * gets its job. Later than that, nothing ran, and it fires once.
   */
  private static final long CATCH_UP_MS = 3_000;
  private static final long RETRY_FAILED_MS = 60_000;
  private static final int MAX_TICKS_A_ROUND = 10;

  private final Vertx vertx;
  private final Pool pool;
  private final Dependency postgresql;
  private final String namespace;
  private final OutboxRelay relay;
  private long timerId = -1;
  private boolean running;

  public Scheduler(Vertx vertx, Pool pool, Dependency postgresql, String namespace, OutboxRelay relay) {
    this.vertx = vertx;
    this.pool = pool;
    this.postgresql = postgresql;
    this.namespace = namespace;
    this.relay = relay;
  }

  public void start() {
    timerId = vertx.setPeriodic(ROUND_MS, t -> round());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  private void round() {
    if (running) {
      return;
    }
    running = true;
    int[] taken = new int[1];
    postgresql.call(() -> pool.withTransaction(conn -> ScheduleStore.takeDue(conn, namespace, BATCH)
            .compose(due -> {
              taken[0] = due.schedules().size();
              return fireAll(conn, due);
            })))
        .onSuccess(owed -> {
          relay.sendNow(owed);
          if (taken[0] == BATCH) {
            vertx.runOnContext(v -> round());
          }
        })
        .onFailure(err -> LOG.log(Level.FINE, "scheduler round failed; the next one retries", err))
        .onComplete(ar -> running = false);
  }

  /**
   * Fires each schedule under a savepoint of its own: one that fails (a value refused, a bug) is rolled back alone
   * and postponed, never holding up the others.
   */
  private Future<List<OutboxStore.Entry>> fireAll(SqlConnection conn, ScheduleStore.Due due) {
    List<OutboxStore.Entry> owed = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (ScheduleStore.Schedule schedule : due.schedules()) {
      chain = chain.compose(v -> conn.query("SAVEPOINT schedule").execute())
          .compose(v -> {
            try {
              return fire(conn, schedule, due.now());
            } catch (RuntimeException e) {
              return Future.failedFuture(e);
            }
          })
          .compose(made -> {
            owed.addAll(made);
            return conn.query("RELEASE SAVEPOINT schedule").execute().<Void>mapEmpty();
          }, err -> {
            LOG.log(Level.WARNING, "schedule " + schedule.tenant() + "/" + schedule.name() + " could not fire; "
                + "trying again in " + RETRY_FAILED_MS / 1000 + " s", err);
            return conn.query("ROLLBACK TO SAVEPOINT schedule").execute()
                .compose(v -> ScheduleStore.fired(conn, namespace, schedule, schedule.lastRunAt(),
                    schedule.lastJobId(), due.now().plusMillis(RETRY_FAILED_MS)));
          });
    }
    return chain.map(owed);
  }

  /**
   * The jobs of the ticks due, and the next tick after now. A schedule late by less than {@link #CATCH_UP_MS} (a slow
   * round) fires each tick it missed; one late by more (nothing ran) fires once, for the latest. A schedule that
   * cannot be read any more is stopped.
   */
  private Future<List<OutboxStore.Entry>> fire(SqlConnection conn, ScheduleStore.Schedule schedule, Instant dbNow) {
    // Judged by the clock that found the schedule due, so a due schedule always has a tick at or before it.
    Instant now = dbNow.isBefore(schedule.nextRunAt()) ? schedule.nextRunAt() : dbNow;
    CronSchedule cron;
    SubmitRequest.Parsed request;
    try {
      cron = CronSchedule.parse(schedule.cron(), schedule.timezone());
      request = SubmitRequest.parse(schedule.job());
    } catch (IllegalArgumentException e) {
      return stop(conn, schedule, e.getMessage());
    }
    if (!request.valid()) {
      return stop(conn, schedule, "its job is no longer valid: " + request.problems());
    }
    List<Instant> ticks = new ArrayList<>();
    if (now.toEpochMilli() - schedule.nextRunAt().toEpochMilli() > CATCH_UP_MS) {
      ticks.add(cron.latestAtOrBefore(now).filter(latest -> !latest.isBefore(schedule.nextRunAt()))
          .orElse(schedule.nextRunAt()));
    } else {
      Optional<Instant> tick = Optional.of(schedule.nextRunAt());
      while (tick.isPresent() && !tick.get().isAfter(now) && ticks.size() < MAX_TICKS_A_ROUND) {
        ticks.add(tick.get());
        tick = cron.next(tick.get());
      }
    }
    Instant last = ticks.get(ticks.size() - 1);
    Instant next = cron.next(ticks.size() == MAX_TICKS_A_ROUND ? last : (now.isAfter(last) ? now : last)).orElse(null);
    List<Job> jobs = new ArrayList<>(ticks.size());
    List<Instant> dueAts = new ArrayList<>(ticks.size());
    for (int i = 0; i < ticks.size(); i++) {
      jobs.add(request.request().toJob(schedule.tenant(), schedule.name(), TraceContext.newRoot()));
      dueAts.add(now.plusMillis(DIRECT_SEND_GRACE_MS));
    }
    return JobStore.insertScheduled(conn, namespace, jobs, dueAts, ticks).compose(entries -> {
      // An entry is null where its tick has its job already: that tick was fired before.
      List<OutboxStore.Entry> made = entries.stream().filter(java.util.Objects::nonNull).toList();
      java.util.UUID lastJob = entries.get(entries.size() - 1) == null ? schedule.lastJobId()
          : jobs.get(jobs.size() - 1).id();
      return ScheduleStore.fired(conn, namespace, schedule, last, lastJob, next).map(made);
    });
  }

  private Future<List<OutboxStore.Entry>> stop(SqlConnection conn, ScheduleStore.Schedule schedule, String why) {
    LOG.warning("schedule " + schedule.tenant() + "/" + schedule.name() + " stops: " + why);
    return ScheduleStore.fired(conn, namespace, schedule, schedule.lastRunAt(), schedule.lastJobId(), null)
        .map(List.of());
  }
}
