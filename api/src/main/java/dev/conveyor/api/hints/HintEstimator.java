package dev.conveyor.api.hints;

import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Priority;
import java.time.Duration;
import java.time.Instant;

/**
 * When a client should next read a job, as pure functions of what they are given. The aim is the job's end: one read
 * just after it, and a few more only when the estimate was wrong, each late by a small share of the job's length.
 * <ul>
 *   <li>Queued: the work ahead of it (the queued jobs of its type and priority, and of higher priorities) over what
 *   the workers drained when a backlog of the type last waited; knowing no such rate, over the recent drain rate if
 *   the queue is not flowing. Then its first look: when a quarter of the type's recent jobs had ended.</li>
 *   <li>Running with progress: this attempt's progress rate gives its end; past that end, a read every
 *   {@link #OVERDUE_SHARE} of its length.</li>
 *   <li>Running without progress: of the type's recent jobs that ran longer than this one has, when half of them
 *   had ended; with no history (a cold start), half its elapsed time.</li>
 *   <li>Then the API process's load stretches it (from {@link #BUSY} CPU use, up to {@link #MAX_STRETCH} times when saturated), jitter
 *   spreads it by up to +{@link #JITTER}, and it is clamped.</li>
 * </ul>
 */
public final class HintEstimator {
  static final double OVERDUE_SHARE = 0.05;
  /** Past the estimated end, so that the read finds the job ended rather than a moment before. */
  static final double AIM_PAST_END = 0.005;
  static final double MAX_STRETCH = 3;
  /** Below this CPU use the server is not loaded: a job's own estimate is worth more than sparing requests. */
  static final double BUSY = 0.8;
  /**
   * Hints are lengthened by up to this share, never shortened: a read aimed just past a job's end that came early
   * would find it running and cost one more.
   */
  static final double JITTER = 0.05;
  static final long COLD_START_MS = 200;
  /**
   * A queued job's first look: when this share of the type's recent jobs had ended, taken at the start of its bucket,
   * so that a job as short as those is not seen late by the bucket's width.
   */
  static final double FIRST_LOOK_QUANTILE = 0.25;
  /** A queue whose oldest job has waited less than this is flowing: jobs in it start at once. */
  static final long FLOWING_MS = 1_000;
  /**
   * A queued job's first read comes at this share of its estimated wait: a read too early costs one more, one too late
   * delays the news of a short job by the whole error.
   */
  static final double QUEUE_AIM = 0.8;
  /** A running job without progress: when this share of the type's jobs that ran longer had ended. */
  static final double NO_PROGRESS_QUANTILE = 0.5;
  /** Later reads of a running job without progress come at least this share of its elapsed time apart. */
  static final double MIN_STEP_SHARE = 0.1;

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
    long raw = job.status() == JobStatus.RUNNING ? running(job, now, type.durations()) : queued(job, now, type);
    return clamp(spread(stretch(raw, load), jitter), minMs, maxMs);
  }

  /** The wait for the work ahead (if it has begun to be due), then the first look at the job running. */
  static long queued(Job job, Instant now, TypeState type) {
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
    long firstLook = type.durations().known() ? Math.max(1, type.durations().quantileFloor(FIRST_LOOK_QUANTILE))
        : COLD_START_MS;
    return untilDue + waitMs + firstLook;
  }

  static long running(Job job, Instant now, DurationHistory durations) {
    long elapsed = job.startedAt() == null ? 0 : Math.max(0, Duration.between(job.startedAt(), now).toMillis());
    int percent = job.progress() == null ? 0 : job.progress().percent();
    if (percent > 0 && job.startedAt() != null) {
      Instant at = job.updatedAt() != null && job.updatedAt().isAfter(job.startedAt()) ? job.updatedAt() : now;
      long progressedMs = Math.max(1, Duration.between(job.startedAt(), at).toMillis());
      long total = progressedMs * 100 / percent;
      long remaining = total - elapsed;
      return remaining > 0 ? remaining + Math.round(total * AIM_PAST_END)
          : Math.max(1, Math.round(total * OVERDUE_SHARE));
    }
    long next = durations.known() ? durations.conditionalQuantile(NO_PROGRESS_QUANTILE, elapsed) : -1;
    long step = Math.max(1, Math.round(elapsed * MIN_STEP_SHARE));
    if (next > elapsed) {
      return Math.max(step, next - elapsed);
    }
    return Math.max(COLD_START_MS, elapsed / 2);
  }

  /** 1 while the machine's CPU is under {@link #BUSY} used, rising to MAX_STRETCH at full use. */
  static long stretch(long ms, double load) {
    double over = Math.max(0, Math.min(1, load) - BUSY) / (1 - BUSY);
    return Math.round(ms * (1 + (MAX_STRETCH - 1) * over));
  }

  static long spread(long ms, double jitter) {
    return Math.round(ms * (1 + JITTER * jitter));
  }

  static long clamp(long ms, long minMs, long maxMs) {
    return Math.max(minMs, Math.min(maxMs, ms));
  }
}
