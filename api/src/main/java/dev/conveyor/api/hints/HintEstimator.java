package dev.conveyor.api.hints;

import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Priority;
import java.time.Duration;
import java.time.Instant;

/**
 * When a client should next read a job, as pure functions of what they are given. The aim is the job's end: one read
 * just after it, and a few more only when the estimate was wrong.
 * <ul>
 *   <li>Queued: the work ahead of it (the queued jobs of its type and priority, and of higher priorities) over what
 *   the workers drained when a backlog of the type last waited; knowing no such rate, over the recent drain rate if
 *   the queue is not flowing. Then its first look: the end of the bucket in which a quarter of the type's recent jobs
 *   had ended, counted from when it was due if that was only a moment ago.</li>
 *   <li>Running: the type's recent jobs that ran longer than this one has tell when it ends (where half of them had
 *   ended). This attempt's progress rate, when it reports one, picks among them: those that ended near the end it
 *   points at; with none there, the progress rate alone.</li>
 *   <li>Past every end known: a read after a step that doubles with each one, from a small share of its age; with
 *   nothing known (a cold start), after half its age.</li>
 *   <li>Every aim is at a bucket's end (narrow buckets) plus the moment an end takes to be seen by reads.</li>
 *   <li>Then the API process's load stretches it (from {@link #BUSY} CPU use, up to {@link #MAX_STRETCH} times when
 *   saturated), jitter lengthens it by up to {@link #JITTER} (at most {@link #MAX_JITTER_MS}), and it is clamped.</li>
 * </ul>
 */
public final class HintEstimator {
  /** From a job's end until reads see it: the commit, the Redis copy and the change notice. */
  static final long VISIBLE_MS = 15;
  /** From an answer to a queued job until it starts, when no work waits ahead of it. */
  static final long START_MS = 10;
  /** Past the end the progress rate points at, when no recent job ended near it. */
  static final double AIM_PAST_END = 0.005;
  /** Recent jobs within this factor of the progress rate's end are taken as jobs like this one. */
  static final double PROGRESS_WINDOW = 1.25;
  /** The first read past every end known comes this share of the job's age later; each next one doubles the wait. */
  static final double OVERDUE_SHARE = 0.01;
  static final double MAX_STRETCH = 3;
  /** Below this CPU use the server is not loaded: a job's own estimate is worth more than sparing requests. */
  static final double BUSY = 0.8;
  /**
   * Hints are lengthened by up to this share, never shortened: a read aimed just past a job's end that came early
   * would find it running and cost one more. Capped, since a long job's end is known to well under 5 % of it, and
   * clients spread over tens of milliseconds are no longer in lock-step.
   */
  static final double JITTER = 0.05;
  static final long MAX_JITTER_MS = 40;
  static final long COLD_START_MS = 200;
  /** A queued job's first look: where this share of the type's recent jobs had ended. */
  static final double FIRST_LOOK_QUANTILE = 0.25;
  /** A queued job due for long with nothing known ahead of it is looked at after this share of its wait. */
  static final double STUCK_SHARE = 0.1;
  /** A queue whose oldest job has waited less than this is flowing: jobs in it start at once. */
  static final long FLOWING_MS = 1_000;
  /**
   * A queued job's first read comes at this share of its estimated wait: a read too early costs one more, one too late
   * delays the news of a short job by the whole error.
   */
  static final double QUEUE_AIM = 0.8;
  /** A share of jobs whose ends, when close together, are worth one look after all of them. */
  static final double TIGHT_QUANTILE = 0.8;
  /** A running job: where this share of the type's jobs that ran longer (and, with progress, alike) had ended. */
  static final double RUNNING_QUANTILE = 0.5;

  private HintEstimator() {
  }

  /**
   * @param load the server's CPU use lately, 0..1
   * @param jitter uniform in [0, 1)
   * @return null for a terminal job, else the hint in milliseconds
   */
  public static Long hint(Job job, Instant now, TypeState type, double load, double jitter, long minMs, long maxMs) {
    if (job.status().terminal()) {
      return null;
    }
    long raw = job.status() == JobStatus.RUNNING ? running(job, now, type.durations(), minMs)
        : queued(job, now, type, minMs);
    return clamp(spread(stretch(raw, load), jitter), minMs, maxMs);
  }

  /** The wait for the work ahead (if it has begun to be due), then the first look at the job running. */
  static long queued(Job job, Instant now, TypeState type, long minMs) {
    long untilDue = job.runAt() == null ? 0 : Math.max(0, Duration.between(now, job.runAt()).toMillis());
    long counted = 0;
    long oldestWaitMs = 0;
    for (Priority p : Priority.values()) {
      if (p.ordinal() <= job.priority().ordinal()) {
        counted += type.queued(p).count();
        oldestWaitMs = Math.max(oldestWaitMs, type.queued(p).oldestWaitMs());
      }
    }
    // With no capacity known, a queue whose jobs waited only a moment is flowing, not work ahead: the recent rate
    // is then only the arrival rate, and a few jobs over it would look like a long wait.
    double rate = type.capacityPerSecond() > 0 ? type.capacityPerSecond()
        : oldestWaitMs >= FLOWING_MS ? type.drainPerSecond() : 0;
    long waitMs = 0;
    if (rate > 0) {
      // The count is a moment old: what drained since is no longer ahead.
      double since = type.countedAt() == null ? 0 : Math.max(0, Duration.between(type.countedAt(), now).toMillis());
      double ahead = Math.max(0, counted - rate * since / 1000);
      waitMs = Math.round(ahead * 1000 / rate * QUEUE_AIM);
    }
    long end = type.durations().known()
        ? aim(type.durations(), FIRST_LOOK_QUANTILE, 0, Long.MAX_VALUE, minMs) : -1;
    if (end < 0) {
      return untilDue + waitMs + COLD_START_MS;
    }
    // With nothing ahead, a job due less than a job's length ago has most likely been starting meanwhile (a 202
    // waits for Kafka, and a worker may take the record first): its end is that much nearer. Due longer ago, it waits
    // for something unknown, and a look one job's length from now is as good as any.
    long sinceDue = untilDue > 0 ? 0 : Duration.between(job.runAt() == null ? job.createdAt() : job.runAt(), now)
        .toMillis();
    long head = waitMs == 0 && sinceDue > 0 && sinceDue < end ? sinceDue : 0;
    long look = Math.max(VISIBLE_MS, START_MS + end + VISIBLE_MS - head);
    if (waitMs == 0 && sinceDue > Math.max(FLOWING_MS, end)) {
      // Due for long with nothing known ahead: no worker may be taking the type. Looks spread out with its wait.
      look = Math.max(look, Math.round(sinceDue * STUCK_SHARE));
    }
    return untilDue + waitMs + look;
  }

  static long running(Job job, Instant now, DurationHistory durations, long minMs) {
    long elapsed = job.startedAt() == null ? 0 : Math.max(0, Duration.between(job.startedAt(), now).toMillis());
    long byProgress = progressEnd(job, now);
    long end;
    if (byProgress > 0) {
      long alike = aim(durations, RUNNING_QUANTILE, Math.max(elapsed, Math.round(byProgress / PROGRESS_WINDOW)),
          Math.round(byProgress * PROGRESS_WINDOW), minMs);
      end = alike > 0 ? alike : byProgress + Math.round(byProgress * AIM_PAST_END);
    } else {
      end = aim(durations, RUNNING_QUANTILE, elapsed, Long.MAX_VALUE, minMs);
    }
    if (end > elapsed) {
      return end - elapsed + VISIBLE_MS;
    }
    long expected = Math.max(byProgress, durations.longest());
    if (expected <= 0) {
      return Math.max(COLD_START_MS, elapsed / 2);
    }
    if (expected > elapsed) {
      // Too few recent jobs ran this long to say where half of them ended, but some did: look when the last did.
      return expected - elapsed + VISIBLE_MS;
    }
    // Past every end known: most such jobs are only a moment late, a few far longer than any seen, so the step
    // starts small and doubles with how long the job is overdue, never past half its age.
    long overdue = elapsed - expected;
    return Math.max(VISIBLE_MS, Math.min(Math.max(1, elapsed / 2), Math.round(elapsed * OVERDUE_SHARE) + overdue));
  }

  /**
   * Among the recent jobs that ran longer than {@code afterMs} and at most {@code untilMs}, the end where a share
   * {@code q} had ended; but where the later ones (to {@link #TIGHT_QUANTILE}) ended within {@code minMs} of that,
   * their end: a read that came too early would be followed by one at least {@code minMs} later, so looking a little
   * later at once costs the early jobs less than the next read would cost the others.
   */
  static long aim(DurationHistory durations, double q, long afterMs, long untilMs, long minMs) {
    long at = durations.endWithin(q, afterMs, untilMs);
    long late = at < 0 ? -1 : durations.endWithin(TIGHT_QUANTILE, afterMs, untilMs);
    return late > at && late - at < minMs ? late : at;
  }

  /** The end this attempt's progress rate points at (ms after its start); -1 without progress. */
  static long progressEnd(Job job, Instant now) {
    int percent = job.progress() == null ? 0 : job.progress().percent();
    if (percent <= 0 || job.startedAt() == null) {
      return -1;
    }
    Instant at = job.updatedAt() != null && job.updatedAt().isAfter(job.startedAt()) ? job.updatedAt() : now;
    long progressedMs = Math.max(1, Duration.between(job.startedAt(), at).toMillis());
    return progressedMs * 100 / percent;
  }

  /** 1 while the machine's CPU is under {@link #BUSY} used, rising to MAX_STRETCH at full use. */
  static long stretch(long ms, double load) {
    double over = Math.max(0, Math.min(1, load) - BUSY) / (1 - BUSY);
    return Math.round(ms * (1 + (MAX_STRETCH - 1) * over));
  }

  static long spread(long ms, double jitter) {
    return ms + Math.round(Math.min(ms * JITTER, MAX_JITTER_MS) * jitter);
  }

  static long clamp(long ms, long minMs, long maxMs) {
    return Math.max(minMs, Math.min(maxMs, ms));
  }
}
