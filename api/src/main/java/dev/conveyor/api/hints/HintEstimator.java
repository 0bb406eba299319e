package dev.conveyor.api.hints;

import dev.conveyor.cache.JobMetrics;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Priority;
import dev.conveyor.store.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When a client should next read a job, as pure functions of what they are given. The aim is the job's end: one read
 * just after it, and a few more only when the estimate was wrong.
 * <ul>
 *   <li>Queued: the work ahead of it (the queued jobs of its type and higher priorities, and those of its own due
 *   before it). When jobs of the type run and one has waited {@link #SLOTS_FULL_MS}, their slots are full and it
 *   starts once they have freed as many (see {@link #slotWait}); else the work ahead drains at what the workers did
 *   when a backlog of the type last waited, or, knowing no such rate, at the recent drain rate if the queue is not
 *   flowing. Then its first look: where a read costs least over the type's recent ends (see
 *   {@link DurationHistory#cheapestRead}), or a share of the way there if that is far and no recent job ended
 *   between (see {@link #probe}), counted from when it was due if that was only a moment ago. While the slots are
 *   full of jobs whose progress points at another length than the recent ends, or of jobs due with it whose progress
 *   points at one length, that length instead (see {@link #unlikeRecent} and {@link #ofTheirBurst}).</li>
 *   <li>Running with progress: the end its progress rate points at, or where most recent jobs that ended close to
 *   it had ended (a job's end takes a moment more than its handler).</li>
 *   <li>Running without, due with running jobs whose progress points at one length: that length (see
 *   {@link #ofTheirBurst}). Else, when its type's jobs report early in their run and few of those that ran longer
 *   reported late, when its first report is due if it is as long as its silence says (see
 *   {@link #unreportedLength}); else where a read costs least over the recent jobs that ran longer than this one
 *   has, or, while its silence says nothing yet, early on the way there (see {@link #probe}). An attempt with a time
 *   limit is read by then.</li>
 *   <li>Past every end known: a read after a step that doubles with each one, from a small share of its age; with
 *   nothing known (a cold start), after half its age, queued or running.</li>
 *   <li>Every aim at an end is at a bucket's end (narrow buckets) plus the moment an end takes to be seen by
 *   reads.</li>
 *   <li>Then the API process's load stretches it (from {@link #BUSY} CPU use, up to {@link #MAX_STRETCH} times when
 *   saturated), a read aimed at an end by a tenth at most (see {@link #stretched}); a look before an end beyond the
 *   longest hint may move onto that hint's steps back from the end (see {@link #onCapSteps}); jitter lengthens it by
 *   up to {@link #JITTER} (at most {@link #MAX_JITTER_MS}), and it is clamped.</li>
 * </ul>
 */
public final class HintEstimator {
  /** From a job's end until reads see it: the commit, the Redis copy and the change notice. */
  static final long VISIBLE_MS = 15;
  /** From an answer to a queued job until it starts, when no work waits ahead of it. */
  static final long START_MS = 10;
  /**
   * Past the end the progress rate points at, when no recent job ended near it: a margin for the handler's own pace
   * only, since the rate is measured in the handler's time (its start and each report are dated alike).
   */
  static final double AIM_PAST_END = 0.002;
  /** From a handler's return until its job's end is written (history ends count it; progress rates do not). */
  static final long FINISH_MS = 10;
  /** Recent jobs that ended within this share of the progress rate's end (or {@link #ALIKE_MIN_MS}) are alike. */
  static final double ALIKE_SHARE = 0.05;
  static final long ALIKE_MIN_MS = 30;
  /** Progress from which the end it points at outweighs the longest recent job, once the job has run past both. */
  static final int TRUSTED_PERCENT = 50;
  /** Among the jobs alike, where this share had ended. */
  static final double ALIKE_QUANTILE = 0.8;
  /** What a read that finds the job still running costs, in units of the delay a client bears (see DurationHistory). */
  static final double READ_COST = 3;
  /** The first read past every end known comes this share of the job's age later; each next one doubles the wait. */
  static final double OVERDUE_SHARE = 0.01;
  static final double MAX_STRETCH = 3;
  /** A read aimed at a job's end grows under load by at most this share of it (when saturated). */
  static final double PAST_END_SHARE = 0.1;
  /** Below this CPU use the server is not loaded: a job's own estimate is worth more than sparing requests. */
  static final double BUSY = 0.8;
  /**
   * Hints are lengthened by up to this share, never shortened: a read aimed just past a job's end that came early
   * would find it running and cost one more. Capped, since a long job's end is known to well under 5 % of it, and
   * clients spread over tens of milliseconds are no longer in lock-step.
   */
  static final double JITTER = 0.05;
  static final long MAX_JITTER_MS = 40;
  /** A look moves onto the longest hint's steps back from its end when that makes it at most this share later. */
  static final double ON_STEP_SHARE = 0.5;
  static final long COLD_START_MS = 200;
  /**
   * Where in the type's recent length a job is first looked at early (see {@link #probe}), when that length is at
   * least {@link #PROBE_FROM_MS}: late enough that most handlers have reported progress, early enough that a job a
   * few times shorter has not long ended.
   */
  static final double PROBE_SHARE = 0.15;
  static final long PROBE_FROM_MS = 500;
  /** Recent jobs that ended between that look and half the way weigh this share of all or more: no early look. */
  static final double PROBE_PASSED_SHARE = 0.1;
  /** Recent ends are close together when their 10th percentile is more than half their 90th. */
  static final double NARROW_SHARE = 0.1;
  /**
   * A running job that has reported no progress is taken to be longer than it has run, by how far into their runs
   * all but this share of its type's recent jobs that report early had reported, unless more than this share of those
   * that ran longer than it has reported late (see {@link #unreportedLength}).
   */
  static final double REPORTED_QUANTILE = 0.95;
  /** Jobs that report later in their run than this say little by not having reported yet. */
  static final double EARLY_REPORT_SHARE = JobMetrics.LATE_REPORT_SHARE;
  /** The same in the first reports' per-mille buckets. */
  private static final long EARLY_REPORT_PER_MILLE = Math.round(EARLY_REPORT_SHARE * 1000);
  /** Jobs that reported earlier than this share of their run are taken to have reported at it. */
  static final double LEAST_REPORT_SHARE = 0.1;
  /** Recent ends up to this many times a silent job's least length are where it is read, rather than at it. */
  static final double NEAR_LEAST = 1.5;
  /**
   * A job that has run less than this may have reported without its report being seen yet; and only runs as long
   * count in what its type's first reports say.
   */
  static final long SILENT_FROM_MS = JobMetrics.FIRST_REPORT_MIN_RUN_MS;
  /** A queued job due for long with nothing known ahead of it is looked at after this share of its wait. */
  static final double STUCK_SHARE = 0.1;
  /**
   * A wait reckoned on an unsure pace (see {@link #paceUnsure}) this long or longer is looked at halfway, by when the
   * backlog's throughput is measured (see {@link BacklogThroughput#MEASURE_MS}).
   */
  static final long UNSURE_WAIT_CHECK_MS = 2 * BacklogThroughput.MEASURE_MS;
  /**
   * A wait for the work ahead to drain at the workers' best pace lately is lengthened by this share of it, by at most
   * what a read costs ({@link #READ_COST} times the delay a short job's client bears): a backlog begins slower than
   * that pace (its workers' first claims), and one that drained at 660 a second, where the capacity was 739, had the
   * jobs behind it read 110 ms before they started, each a read more. Later by that margin, a read costs a job that
   * ended meanwhile no more than the read it spares.
   */
  static final double WAIT_MARGIN_SHARE = 0.1;
  /** A queue whose oldest job has waited less than this is flowing: jobs in it start at once. */
  static final long FLOWING_MS = 500;
  /**
   * A job of a type whose jobs run that has waited this long means their slots are full: a free slot takes a record
   * within tens of milliseconds. Shorter than {@link #FLOWING_MS}, since waiting for slots to free is estimated from
   * the running jobs, not from a drain rate that may not have been measured yet.
   */
  static final long SLOTS_FULL_MS = 200;
  /**
   * Jobs due within this of one another came together: a burst that a client submits one request at a time spans some
   * hundreds of milliseconds.
   */
  static final long BURST_GAP_MS = 1_000;
  /**
   * A slot's turnover while a backlog waits is a job's length plus its claim and the write of its end; progress that
   * points at more than this many times it is of longer jobs than those that set the backlog's pace.
   */
  static final double TURNOVER_SPAN = 2;
  /** Fewer jobs of a burst that have reported say little of the rest, however close their lengths. */
  static final long BURST_REPORTED = 5;

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
    Look look = job.status() == JobStatus.RUNNING ? running(job, now, type, minMs)
        : queued(job, now, type, minMs, load);
    return clamp(spread(onCapSteps(stretched(look, load), maxMs), jitter), minMs, maxMs);
  }

  /**
   * A read {@code ms} from now, and the end it leads to, {@code endMs} from now: where the job would be read if this
   * look were not before it (the read itself when it is aimed at an end; {@link Long#MAX_VALUE} when nothing says
   * where the end is). Never before the read.
   */
  record Look(long ms, long endMs) {
    Look {
      endMs = Math.max(ms, endMs);
    }

    static Look atEnd(long ms) {
      return new Look(ms, ms);
    }

    static Look before(long ms, long endMs) {
      return new Look(ms, endMs < 0 ? Long.MAX_VALUE : endMs);
    }

    static Look endUnknown(long ms) {
      return new Look(ms, Long.MAX_VALUE);
    }
  }

  /**
   * The look stretched by the server's load (see {@link #stretch}), but past the end it leads to by at most
   * {@link #PAST_END_SHARE} of it when saturated: a read there is due whatever the load, and one put off past it
   * spares no request, only keeps its client waiting. So the looks before an end grow as much as the load says, and a
   * read aimed at an end grows within the delay its client bears.
   */
  static Look stretched(Look look, double load) {
    long full = stretch(look.ms(), load);
    long pastEnd = Math.round((full - look.ms()) / (MAX_STRETCH - 1) * PAST_END_SHARE);
    return new Look(Math.min(full, Math.max(look.endMs(), look.ms() + pastEnd)), look.endMs());
  }

  /**
   * The look's wait, moved onto the steps of {@code maxMs} back from the end it leads to, if that end is beyond the
   * longest hint and the step lies a little past the look (at most {@link #ON_STEP_SHARE} of it later): every read
   * after it then comes {@code maxMs} after the last, the final one at the end, where a look off those steps costs a
   * read more. Jobs of 60 s, silent at 2.5 s and so at least 23 s long, were read at 23 s (their first report), 53 s
   * (the longest hint) and 60 s. After jobs of 30 s, read at 30.2 s instead, then at 60.2 s.
   */
  static long onCapSteps(Look look, long maxMs) {
    if (look.endMs() == Long.MAX_VALUE || look.endMs() <= maxMs || look.ms() >= look.endMs()) {
      return look.ms();
    }
    long steps = (look.endMs() - 1) / maxMs;
    long onStep = look.endMs() - steps * maxMs;
    return onStep > look.ms() && onStep <= look.ms() * (1 + ON_STEP_SHARE) ? onStep : look.ms();
  }

  /**
   * The wait for the work ahead (if it has begun to be due), then the first look at the job running. The wait is an
   * estimate that the API's load stretches whole (see {@link #stretch}): under load the workers drain slower too.
   */
  static Look queued(Job job, Instant now, TypeState type, long minMs, double load) {
    long untilDue = job.runAt() == null ? 0 : Math.max(0, Duration.between(now, job.runAt()).toMillis());
    long sinceDue = untilDue > 0 ? 0 : Math.max(0, Duration.between(due(job), now).toMillis());
    // The count is a moment old: what drained since is no longer ahead, and what waited then has waited longer.
    long sinceCount = type.countedAt() == null ? 0 : Math.max(0, Duration.between(type.countedAt(), now).toMillis());
    double ahead = 0;
    long oldestWaitMs = 0;
    for (Priority p : Priority.values()) {
      JobStore.Queued queued = type.queued(p);
      if (p.ordinal() < job.priority().ordinal()) {
        ahead += queued.count();
      } else if (p == job.priority()) {
        ahead += queued.count() * dueBefore(sinceDue, queued, sinceCount);
      }
      if (p.ordinal() <= job.priority().ordinal()) {
        oldestWaitMs = Math.max(oldestWaitMs, queued.oldestWaitMs());
      }
    }
    long waitMs = 0;
    JobStore.Running running = type.running();
    // The job itself may be the oldest, if counted since it was due: a burst since the count is not in it yet, and
    // jobs counted running before it came say nothing of the slots it waits for.
    boolean slotsFull = running.count() > 0
        && (oldestWaitMs >= SLOTS_FULL_MS || sinceDue >= SLOTS_FULL_MS && sinceCount < sinceDue);
    if (slotsFull && (type.durations().known() || running.lengthMs() > 0)) {
      waitMs = slotWait(ahead, running, typicalMs(type), sinceCount);
    } else {
      // With no capacity known, a queue whose jobs waited only a moment is flowing, not work ahead: the recent rate
      // is then only the arrival rate, and a few jobs over it would look like a long wait.
      double rate = type.capacityPerSecond() > 0 ? type.capacityPerSecond()
          : oldestWaitMs >= FLOWING_MS ? type.drainPerSecond() : 0;
      if (rate > 0) {
        // The whole wait, not a share of it, and a margin: the capacity is the best the workers did lately, so the
        // wait is if anything short, and a read aimed early finds the job queued and costs one more.
        long drainMs = Math.round(Math.max(0, ahead - drainedSinceCount(type, now, rate)) * 1000 / rate);
        waitMs = plus(drainMs, Math.min(Math.round(drainMs * WAIT_MARGIN_SHARE), Math.round(READ_COST * borne(minMs))));
      }
    }
    waitMs = stretch(waitMs, load);
    long burstLength = slotsFull ? burstLength(job, now, type) : -1;
    boolean byHistory = false;
    long aimed = slotsFull && unlikeRecent(running.lengthMs(), type.durations()) ? running.lengthMs() + FINISH_MS
        : burstLength > 0 ? burstLength + FINISH_MS : -1;
    if (aimed < 0 && type.durations().known()) {
      aimed = type.durations().cheapestRead(0, borne(minMs), READ_COST);
      byHistory = true;
    }
    long before = plus(untilDue, waitMs);
    if (aimed < 0) {
      // Nothing known of the type: as for a running job, the looks back off with how long it has waited.
      return Look.endUnknown(plus(before, Math.max(COLD_START_MS, sinceDue / 2)));
    }
    long end = byHistory ? probe(type.durations(), aimed,
        reportsEarly(Math.round(aimed * PROBE_SHARE), type.firstReports(), type.durations())) : aimed;
    Look look = Look.before(plus(before, firstLook(end, waitMs, sinceDue)),
        plus(before, firstLook(aimed, waitMs, sinceDue)));
    return waitMs >= UNSURE_WAIT_CHECK_MS && paceUnsure(type) ? Look.before(plus(untilDue, waitMs / 2), look.ms())
        : look;
  }

  /**
   * Whether the pace at which the work ahead drains is unsure: a capacity measured, but not yet over enough of a
   * backlog's life to be learnt (see {@link BacklogThroughput#learnt}), and no progress from the running jobs to say
   * their length. The first moments of a type's first backlog, its workers cold, say too little: jobs queued behind
   * 2,000 of 50 ms, measured at 356 a second as they began, were told they would start in 3.9 s where they started in
   * 2.2, and, read only then, were seen up to 1.7 s late. Looked at halfway, such a wait is reckoned again on what
   * the backlog did since (and halved again while still unsure). With no capacity measured at all, the wait rests on
   * the slots or the drain rate and this does not apply: a type whose queue never holds a backlog would be read at
   * halves of every long wait for good.
   */
  static boolean paceUnsure(TypeState type) {
    return type.capacityPerSecond() > 0 && !type.capacityLearnt() && type.running().lengthMs() <= 0;
  }

  /** An end ({@code ms}, -1 if none known) no later than {@code limitMs}. */
  private static long within(long ms, long limitMs) {
    return ms < 0 ? ms : Math.min(ms, limitMs);
  }

  /** a + b for non-negative a and b, at most {@link Long#MAX_VALUE}. */
  private static long plus(long a, long b) {
    return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
  }

  /**
   * Whether a type's jobs first report early enough in their run that a look {@link #PROBE_SHARE} of the way to an
   * end sees it, for a job that has run {@code ranMs} (late reporters shorter than that do not count against it).
   */
  private static boolean reportsEarly(long ranMs, FirstReports reports, DurationHistory durations) {
    double share = earlyReportShare(ranMs, reports, durations);
    return share > 0 && share < PROBE_SHARE;
  }

  /** For a job due {@code sinceDue} ago with {@code waitMs} of work ahead: from its start to a look at {@code end}. */
  private static long firstLook(long end, long waitMs, long sinceDue) {
    // With nothing ahead, a job due less than a job's length ago has most likely been starting meanwhile (a 202
    // waits for Kafka, and a worker may take the record first): its end is that much nearer. Due longer ago, it waits
    // for something unknown, and a look one job's length from now is as good as any.
    long head = waitMs == 0 && sinceDue > 0 && sinceDue < end ? sinceDue : 0;
    long look = Math.max(VISIBLE_MS, START_MS + end + VISIBLE_MS - head);
    if (waitMs == 0 && sinceDue > Math.max(FLOWING_MS, end)) {
      // Due for long with nothing known ahead: no worker may be taking the type. Looks spread out with its wait.
      look = Math.max(look, Math.round(sinceDue * STUCK_SHARE));
    }
    return look;
  }

  /**
   * The delay a client of a short job bears, for {@link DurationHistory#cheapestRead}: half the shortest hint, since
   * most reads land after the last end of a cluster and its median end is to be seen well within the shortest hint.
   */
  static long borne(long minMs) {
    return Math.max(1, minMs / 2);
  }

  /**
   * How many of the jobs counted queued have left the queue since the count, draining at {@code rate}: those that
   * left since, as last read (see {@link TypeState#leftSinceCount}), and at the rate after that; at the rate alone
   * since the count when what left is not known. A backlog drains slower than its capacity as it starts (its first
   * claims, records still arriving): taken at the capacity of 712 a second for the 1.6 s since a count of 2,000 jobs
   * just queued, 1,100 of them were taken as gone, where the backlog drained 850 in the 2.3 s after the count, and
   * jobs behind it were read 1.4 s before they started.
   */
  static double drainedSinceCount(TypeState type, Instant now, double rate) {
    if (type.countedAt() == null) {
      return 0;
    }
    long sinceCount = Math.max(0, Duration.between(type.countedAt(), now).toMillis());
    if (type.leftSinceCount() < 0 || type.leftCountedAt() == null) {
      return rate * sinceCount / 1000;
    }
    long sinceRead = Math.min(sinceCount, Math.max(0, Duration.between(type.leftCountedAt(), now).toMillis()));
    return type.leftSinceCount() + rate * sinceRead / 1000;
  }

  /**
   * A job's first look early in its run, given where a read costs least over its type's recent ends ({@code end}).
   * When those all came close together (their 10th percentile past half their 90th), or, for a type whose jobs report
   * early ({@code reportsEarly}), when under a tenth of them ended between a share of the way there and half of it,
   * a job that ends in between would be of a length not seen lately: a look early in a long run sees the job's own
   * progress rate (or its end, if it is short), which says where to read next, and finds the recent jobs shorter than
   * it ended. Where more ended in between, the cheapest read has weighed them. (Looked at early only where all recent
   * ends came close together, jobs of 2 s after a burst of 200 of 3 s, with jobs of 0.2 s an eighth of the history,
   * were read at 3.1 s: 1.1 s late.) A type whose jobs do not report early shows nothing at such a look but a short
   * job's end, which the cheapest read has weighed already.
   */
  static long probe(DurationHistory durations, long end, boolean reportsEarly) {
    if (end < PROBE_FROM_MS) {
      return end;
    }
    long early = Math.round(end * PROBE_SHARE);
    boolean narrow = durations.percentile(NARROW_SHARE) * 2 > durations.percentile(1 - NARROW_SHARE);
    double between = durations.weightAfter(early) - durations.weightAfter(end / 2);
    return narrow || reportsEarly && between < PROBE_PASSED_SHARE * durations.total() ? early : end;
  }

  /**
   * Whether the running jobs' progress points at a length ({@code lengthMs}, 0 if unknown) outside the bulk of the
   * type's recent ends, from their 10th to their 90th percentile, or nothing recent is known: the jobs that fill the
   * slots then are not like those that ended lately (a burst of long jobs after a backlog of short ones), and the jobs
   * waiting for them most likely are like them (so no early look, as {@link #probe} would take, is spent on them).
   * Only while the slots are full: in a flowing queue the running jobs are mostly its long ones, since they hold a
   * slot longest, and say little of the next job.
   */
  static boolean unlikeRecent(long lengthMs, DurationHistory durations) {
    return lengthMs > 0 && (!durations.known() || lengthMs < durations.percentile(NARROW_SHARE)
        || lengthMs > durations.percentile(1 - NARROW_SHARE));
  }

  /**
   * Whether a job on its first attempt (queued, or running without a report) due {@code dueBeforeCountMs} before the
   * running jobs were counted came with a burst of them: at least {@link #BURST_REPORTED} of them on their first
   * attempt have reported progress, they were all due within {@link #BURST_GAP_MS}, the job within that of them, and
   * their progress points at lengths close together (the 10th percentile more than half the 90th). It is then most
   * likely like them, whatever lengths the type's recent jobs had: a burst of 200 jobs of 3 s on 64 slots is read as
   * each of its rounds ends, where recent ends of 50 ms had each job read just after its start, then as its first
   * report came, then at its end.
   */
  static boolean ofTheirBurst(long dueBeforeCountMs, JobStore.Running running) {
    JobStore.FirstAttempts burst = running.firstAttempts();
    return burst.reported() >= BURST_REPORTED
        && burst.earliestDueMs() - burst.latestDueMs() <= BURST_GAP_MS
        && burst.shortLengthMs() * 2 > burst.longLengthMs()
        && dueBeforeCountMs >= burst.latestDueMs() - BURST_GAP_MS
        && dueBeforeCountMs <= burst.earliestDueMs() + BURST_GAP_MS;
  }

  /**
   * The length of the running burst a job on its first attempt came with (see {@link #ofTheirBurst}); -1 if it is
   * not on its first attempt or came with none.
   */
  private static long burstLength(Job job, Instant now, TypeState type) {
    int firstAttempt = job.status() == JobStatus.RUNNING ? 1 : 0;
    long dueBeforeCount = Duration.between(job.firstDue(), type.countedAt() == null ? now : type.countedAt())
        .toMillis();
    return job.attempts() == firstAttempt && ofTheirBurst(dueBeforeCount, type.running())
        ? type.running().firstAttempts().lengthMs() : -1;
  }

  /** When a queued job was last due: queued again after an attempt, when that attempt gave it back. */
  private static Instant due(Job job) {
    Instant due = job.firstDue();
    return job.attempts() > 0 && job.updatedAt() != null && job.updatedAt().isAfter(due) ? job.updatedAt() : due;
  }

  /**
   * The share of its priority's queue due before a job due {@code sinceDueMs} ago, the oldest of them
   * {@code oldestWaitMs} ago, taking them as due evenly over that time. Jobs due together (a burst) are taken as all
   * behind it: each job of a burst is then read when the first could have ended, early for most (a read more) rather
   * than late for many.
   */
  static double dueBefore(long sinceDueMs, long oldestWaitMs) {
    return oldestWaitMs <= 0 ? 1 : Math.max(0, Math.min(1, (oldestWaitMs - sinceDueMs) / (double) oldestWaitMs));
  }

  /**
   * The share of a queue counted {@code sinceCountMs} ago that is due before a job due {@code sinceDueMs} ago: from
   * the waits at each tenth of it where they are known (between two tenths, taken as due evenly), else as if due
   * evenly since the oldest. A backlog queued at once, then a job: the job is behind all of it, however long it has
   * waited since (taken as due evenly since the backlog's start, a job that had waited 1.5 s of the backlog's 1.9 s
   * counted only 22 % of it ahead, and was read six times before it started).
   */
  static double dueBefore(long sinceDueMs, JobStore.Queued queued, long sinceCountMs) {
    List<Long> tenths = queued.waitTenthsMs();
    if (tenths.isEmpty()) {
      return dueBefore(sinceDueMs, queued.oldestWaitMs() + sinceCountMs);
    }
    long waitedAtCount = sinceDueMs - sinceCountMs;
    for (int i = 0; i < tenths.size() - 1; i++) {
      long older = tenths.get(i);
      long younger = tenths.get(i + 1);
      if (waitedAtCount >= older) {
        return i / (double) (tenths.size() - 1);
      }
      if (waitedAtCount >= younger) {
        return (i + (older - waitedAtCount) / (double) (older - younger)) / (tenths.size() - 1);
      }
    }
    return 1;
  }

  /**
   * How long each of the jobs that fill a type's slots takes, in order of what best describes those now: while a
   * backlog of the type waits and its throughput is measured, how long the slots took each to turn over meanwhile
   * (their count over that throughput: the progress of 50 ms jobs, measured in their handlers' time, pointed at 70 ms
   * where each slot, with the job's claim and the write of its end, took 130, and jobs behind the backlog were read
   * every 150 ms for 0.6 s before they started), unless the running jobs' progress points at more than
   * {@link #TURNOVER_SPAN} times that; else the median
   * length the running jobs' progress points at; before any reports, the length at which the slots would give the
   * throughput the workers reached when a backlog of the type last waited (a backlog like the last one then drains
   * as that one did), kept within the bulk of the recent ends (10th to 90th percentile), since that throughput may
   * be old and of other slots; else the type's median recent duration. Before any reports, too, when the type's jobs
   * report early and even the youngest running has not, at least the length its silence says (see
   * {@link #unreportedLength}): 64 jobs of 3 s silent at 160 ms, after a backlog of 50 ms jobs, free their slots
   * after a second or more, not in a moment (each read of a job waiting for them came 140 ms after the last).
   */
  static double typicalMs(TypeState type) {
    JobStore.Running running = type.running();
    double turnover = type.backlogPerSecond() > 0 ? running.count() * 1000 / type.backlogPerSecond() : 0;
    if (running.lengthMs() > 0) {
      // Progress far longer than the turnover: jobs longer than those that set the backlog's pace hold the slots now.
      return running.lengthMs() > TURNOVER_SPAN * turnover ? running.lengthMs() : turnover;
    }
    DurationHistory durations = type.durations();
    double typical;
    if (turnover > 0) {
      typical = turnover;
    } else if (type.capacityPerSecond() <= 0) {
      typical = durations.median();
    } else {
      double byCapacity = running.count() * 1000 / type.capacityPerSecond();
      typical = durations.known()
          ? Math.max(durations.percentile(NARROW_SHARE), Math.min(durations.percentile(1 - NARROW_SHARE), byCapacity))
          : byCapacity;
    }
    long silentFor = running.shortestMs();
    long least = unreportedLength(silentFor, type.firstReports(), durations);
    return least > silentFor ? Math.max(typical, least) : typical;
  }

  /**
   * How long until a job with {@code ahead} jobs before it starts, when the {@code running} jobs fill the type's
   * slots and each job takes about {@code typicalMs} (see {@link #typicalMs}; a median, so a few long jobs of another
   * payload do not stretch it): the slots free up as the running jobs end (see {@link #remainingMs}),
   * spread between the longest- and the shortest-running (all at once when they started together, evenly when they
   * started in turn), and every job after that takes a slot for {@code typicalMs}.
   * So a burst behind a burst waits for the first to end, and a steady backlog drains at {@code count / typicalMs}.
   */
  static long slotWait(double ahead, JobStore.Running running, double typicalMs, long sinceCountMs) {
    long slots = running.count();
    long rounds = (long) (ahead / slots);
    double before = ahead - (double) rounds * slots;
    double first = remainingMs(running.longestMs(), typicalMs);
    double last = remainingMs(running.shortestMs(), typicalMs);
    double soonest = Math.min(first, last);
    double latest = Math.max(first, last);
    double start = soonest + (slots == 1 ? 0 : (latest - soonest) * before / (slots - 1)) + rounds * typicalMs;
    return Math.max(0, Math.round(start - sinceCountMs));
  }

  /**
   * How much longer a job that has run {@code ageMs} runs: the rest of its type's typical duration; once past it, the
   * recent durations do not describe it (jobs of its payload run longer), and it is taken to overrun as much again as
   * it has.
   */
  static double remainingMs(long ageMs, double typicalMs) {
    return Math.abs(typicalMs - ageMs);
  }

  static Look running(Job job, Instant now, TypeState type, long minMs) {
    DurationHistory durations = type.durations();
    Instant attemptStart = attemptStart(job);
    long elapsed = attemptStart == null ? 0 : Math.max(0, Duration.between(attemptStart, now).toMillis());
    long byProgress = progressEnd(job, now);
    long end;
    // Where the job most likely ends, when the read is not aimed there: the median of the recent ends past it.
    long likely;
    // An attempt with a time limit ends by then, whatever else says it runs longer.
    long timeoutEnd = job.timeoutMs() == null ? Long.MAX_VALUE : job.timeoutMs() + FINISH_MS;
    long burstLength = byProgress > 0 ? -1 : burstLength(job, now, type);
    long byBurst = Math.min(burstLength > 0 ? burstLength + FINISH_MS : -1, timeoutEnd);
    if (byBurst > elapsed) {
      // Not reported yet, but due with jobs that agree on their length: most likely as long as they are.
      return Look.atEnd(byBurst - elapsed + VISIBLE_MS);
    }
    if (byProgress > 0) {
      long tolerance = Math.max(ALIKE_MIN_MS, Math.round(byProgress * ALIKE_SHARE));
      long alike = durations.endWithin(ALIKE_QUANTILE, Math.max(elapsed, byProgress - tolerance),
          byProgress + tolerance);
      end = Math.min(timeoutEnd, alike > 0 ? alike : byProgress + Math.round(byProgress * AIM_PAST_END) + FINISH_MS);
      likely = end;
    } else {
      long least = Math.min(unreportedLength(elapsed, type.firstReports(), durations), Math.max(elapsed, timeoutEnd));
      if (least > elapsed) {
        // Most likely it does not end before: a read then finds its first report if it is up to ten times as long,
        // and one ten times later if not, whatever lengths the type's recent jobs had. Where recent jobs ended only
        // a little later, a read as they end finds it ended or reported, and a job of a new length is not seen late
        // by much.
        long alike = durations.cheapestRead(least, borne(minMs), READ_COST);
        long read = Math.min(timeoutEnd, alike > 0 && alike <= least * NEAR_LEAST ? alike : least);
        likely = within(durations.endWithin(0.5, least, Long.MAX_VALUE), timeoutEnd);
        return Look.before(read - elapsed + VISIBLE_MS, likely < 0 ? -1 : likely - elapsed + VISIBLE_MS);
      }
      end = within(durations.cheapestRead(elapsed, borne(minMs), READ_COST), timeoutEnd);
      likely = within(durations.endWithin(0.5, elapsed, Long.MAX_VALUE), timeoutEnd);
      // As for a queued job's first look, when the type's jobs report before it: a job of a length not seen lately
      // shows it early in its run (young and silent, a job whose first report was slow to come under a loaded
      // machine was read at the end of the jobs of 3 s that filled the history, where it ran 2).
      long early = end > 0 && reportsEarly(elapsed, type.firstReports(), durations) ? probe(durations, end, true)
          : end;
      if (early >= elapsed + SILENT_FROM_MS && early < end) {
        return Look.before(early - elapsed + VISIBLE_MS, Math.max(end, likely) - elapsed + VISIBLE_MS);
      }
    }
    if (end > elapsed) {
      return Look.before(end - elapsed + VISIBLE_MS, Math.max(end, likely) - elapsed + VISIBLE_MS);
    }
    // Well along, this job's own progress says more of its length than how long any other ran; early on (1 % in the
    // first moment) it says little.
    long expected = within(byProgress > 0 && job.progress().percent() >= TRUSTED_PERCENT ? byProgress
        : Math.max(byProgress, durations.longest()), timeoutEnd);
    if (expected <= 0) {
      return Look.endUnknown(Math.max(COLD_START_MS, elapsed / 2));
    }
    if (expected > elapsed) {
      // Too few recent jobs ran this long to say where to read, but some did: look when the last did.
      return Look.atEnd(expected - elapsed + VISIBLE_MS);
    }
    // Past every end known: most such jobs are only a moment late, a few far longer than any seen, so the step
    // starts small and doubles with how long the job is overdue, never past half its age.
    long overdue = elapsed - expected;
    return Look.endUnknown(
        Math.max(VISIBLE_MS, Math.min(Math.max(1, elapsed / 2), Math.round(elapsed * OVERDUE_SHARE) + overdue)));
  }

  /**
   * The least length of a running job that has reported no progress after {@code elapsedMs}: when all but a few of
   * its type's recent jobs that reported in the first half of their handler's run had reported by a share s of it
   * (taken as at least {@link #LEAST_REPORT_SHARE}, so that a job unlike them is read at most ten times its length
   * late), and few of those that ran longer than it has reported later or never, its handler runs at least what it has
   * run over s: from {@code elapsedMs}, less the moment a report takes to be seen and the type's median lag from a
   * claim to its handler's start, which is then added back; else, or until its handler has run
   * {@link #SILENT_FROM_MS} past the lag of all but a few claims, what it has run. The median, not a high quantile,
   * in the length: taken at its 95th percentile (79 ms in the polling benchmark, against a median of 37), the lag
   * would put 20 s jobs silent at 0.25 s at 1.6 s, before their first report at 2 s, and each would take a read more;
   * a job whose own lag is longer is read late only if it is as short as the least length, by up to nine times the
   * difference. Only the late
   * reporters longer than it count against the rule: a backlog of short jobs that report at their end says nothing
   * of a job that has run longer than they do.
   */
  static long unreportedLength(long elapsedMs, FirstReports reports, DurationHistory durations) {
    if (elapsedMs < SILENT_FROM_MS) {
      return elapsedMs;
    }
    double share = earlyReportShare(elapsedMs, reports, durations);
    if (share < 0) {
      return elapsedMs;
    }
    // The shares are of handlers' runs, which begin a moment after the claim that a job's age counts from: only a
    // handler that has run as long as those counted, past all but the longest lags, is one of them.
    long ran = elapsedMs - VISIBLE_MS;
    if (ran - reports.claimLagMs(REPORTED_QUANTILE) < SILENT_FROM_MS) {
      return elapsedMs;
    }
    long lag = Math.min(reports.claimLagMs(0.5), ran);
    return Math.max(elapsedMs, Math.round(lag + (ran - lag) / share));
  }

  /**
   * The share s of {@link #unreportedLength}: how far into their handler's run all but a few of the type's recent
   * jobs that reported in its first half had first reported (at least {@link #LEAST_REPORT_SHARE}), when few of those
   * that ran longer than {@code elapsedMs} reported late or never; -1 when the type's jobs do not report early.
   */
  static double earlyReportShare(long elapsedMs, FirstReports reports, DurationHistory durations) {
    DurationHistory shares = reports.shares();
    double lateByShares = shares.weightAfter(EARLY_REPORT_PER_MILLE);
    long early = shares.total() - lateByShares < DurationHistory.MIN_WEIGHT ? -1
        : shares.endWithin(REPORTED_QUANTILE, 0, EARLY_REPORT_PER_MILLE);
    if (early < 0 || !fewLate(elapsedMs, reports, lateByShares, durations)) {
      return -1;
    }
    double share = Math.max(LEAST_REPORT_SHARE, early / 1000.0);
    return share < EARLY_REPORT_SHARE ? share : -1;
  }

  /**
   * Whether at most a few of the type's recent jobs that ran longer than {@code elapsedMs} reported late or never (an
   * outlier long decayed counts as none). When the late reporters' lengths account for fewer than half of those the
   * shares count late ({@code lateByShares}: counted by workers of an earlier version), by the shares alone: as if
   * all ran longer.
   */
  private static boolean fewLate(long elapsedMs, FirstReports reports, double lateByShares,
      DurationHistory durations) {
    if (reports.lateLengths().total() < lateByShares / 2) {
      return lateByShares <= (1 - REPORTED_QUANTILE) * reports.shares().total();
    }
    double late = reports.lateLengths().weightAfter(elapsedMs);
    return late < DurationHistory.TAIL_WEIGHT || late <= (1 - REPORTED_QUANTILE) * durations.weightAfter(elapsedMs);
  }

  /** The end this attempt's progress rate points at (ms after its start); -1 without progress. */
  static long progressEnd(Job job, Instant now) {
    int percent = job.progress() == null ? 0 : job.progress().percent();
    Instant attemptStart = attemptStart(job);
    if (percent <= 0 || attemptStart == null) {
      return -1;
    }
    // The rate in the handler's own time, once a report has dated its start: the claim comes a moment earlier, and a
    // moment counted as progress at 10 % is ten moments at the end. The end is then counted from the claim, as the
    // type's recent durations are.
    Instant handlerStart = job.handlerStartedAt() != null && !job.handlerStartedAt().isBefore(attemptStart)
        ? job.handlerStartedAt() : attemptStart;
    Instant at = job.updatedAt() != null && job.updatedAt().isAfter(handlerStart) ? job.updatedAt() : now;
    long progressedMs = Math.max(1, Duration.between(handlerStart, at).toMillis());
    return Duration.between(attemptStart, handlerStart).toMillis() + progressedMs * 100 / percent;
  }

  /** When this attempt was claimed; the first attempt's start if not known. */
  private static Instant attemptStart(Job job) {
    return job.attemptStartedAt() != null ? job.attemptStartedAt() : job.startedAt();
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
