package dev.conveyor.api.hints;

import dev.conveyor.cache.JobMetrics;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.Priority;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps what the hints read up to date, every {@link #REFRESH_MS}: each type's durations (finely bucketed), how its
 * jobs first reported progress (see {@link FirstReports}; in both, a flood's jobs weigh as a few, see
 * {@link FloodWeight}), and its finishes from the job metrics in Redis (which every worker writes, so every API process
 * sees the same), its due queued jobs per priority and its running jobs from PostgreSQL, and the machine's CPU load.
 * Answers from memory, so a hint costs no I/O. When a refresh fails, the last state stays.
 */
public final class HintInputs {
  private static final Logger LOG = Logger.getLogger(HintInputs.class.getName());
  /**
   * Short, since a queued count is soon out of date: jobs counted waiting that have started since would still be work
   * ahead for every new job until the next count, and a burst submitted one job at a time is work ahead only from
   * the next count (its jobs are read until then as if they would start at once).
   */
  static final long REFRESH_MS = 250;
  /** The weight of what finished halves in about this long. */
  private static final double HALF_LIFE_MS = 60_000;
  /** What the jobs counted before this process started weigh in its first history of each type: a few jobs. */
  private static final double STARTING_WEIGHT = 10;
  private static final long RATE_WINDOW_MS = 2_000;
  /** The drain rate follows a backlog's throughput within seconds. */
  private static final double RATE_HALF_LIFE_MS = 3_000;
  /**
   * A count costs in proportion to the jobs queued: past this many it is taken only every {@link #LARGE_COUNT_MS},
   * when a count a moment old matters less anyway. Not more: PostgreSQL counts 10,000 of 128,000 jobs with a scan of
   * the table (150 ms), which four times a second took a fifth of the submits' throughput.
   */
  private static final long LARGE_COUNT = 1_000;
  private static final long LARGE_COUNT_MS = 2_000;
  /**
   * Jobs accepted at once from which they count as queued before PostgreSQL's next count: smaller groups are work
   * ahead for a moment only, and counted until the next refresh they would linger as if still waiting.
   */
  private static final int BURST_MIN = 100;
  private static final TypeState UNKNOWN =
      new TypeState(DurationHistory.empty(JobMetrics.HINT_BUCKETS_MS), FirstReports.NONE, 0, 0, Map.of(),
          JobStore.Running.NONE, null);

  private final Vertx vertx;
  private final JobMetrics metrics;
  private final JobStore store;
  private final JobTypeStore types;
  private final String namespace;
  private volatile Map<String, TypeState> states = Map.of();
  private volatile double load;
  private Map<String, long[]> lastBuckets;
  private Map<String, long[]> lastFirstReports;
  private Map<String, long[]> lastLateReports;
  private Map<String, long[]> lastClaimLags;
  private Map<String, Long> lastFinished;
  /** Each type's finishes and first starts when its queue was last counted. */
  private Map<String, Long> finishedAtCount = Map.of();
  private Map<String, Long> startedAtCount = Map.of();
  private long lastAt;
  private long lastRateAt;
  private Instant lastCountedAt;
  private long timer = -1;
  private final BacklogThroughput throughput = new BacklogThroughput();
  private final RunningSlots slots = new RunningSlots();
  private final FloodWeight floods = new FloodWeight();
  private final java.util.concurrent.atomic.AtomicBoolean refreshing = new java.util.concurrent.atomic.AtomicBoolean();

  public HintInputs(Vertx vertx, JobMetrics metrics, JobStore store, JobTypeStore types, String namespace) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.store = store;
    this.types = types;
    this.namespace = namespace;
  }

  public void start() {
    refresh();
    timer = vertx.setPeriodic(REFRESH_MS, t -> refresh());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  public TypeState state(String type) {
    return states.getOrDefault(type, UNKNOWN);
  }

  /**
   * Counts a burst of jobs this process just accepted as queued until the next count from PostgreSQL, so that it is
   * work ahead at once rather than after the next refresh.
   */
  public synchronized void accepted(List<Job> jobs) {
    if (jobs.size() < BURST_MIN) {
      return;
    }
    Map<String, Map<Priority, Long>> added = new HashMap<>();
    Map<String, Instant> dueFrom = new HashMap<>();
    for (Job job : jobs) {
      if (job.runAt() == null) {
        added.computeIfAbsent(job.type(), t -> new EnumMap<>(Priority.class)).merge(job.priority(), 1L, Long::sum);
        dueFrom.merge(job.type(), job.createdAt(), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    if (added.isEmpty()) {
      return;
    }
    Map<String, TypeState> next = new HashMap<>(states);
    added.forEach((type, counts) -> next.put(type, state(type).plus(counts, dueFrom.get(type))));
    states = next;
  }

  /** This API process's CPU use lately, as a share of the machine's, 0..1. */
  public double load() {
    return load;
  }

  private void refresh() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    // Reading the load reads /proc: a worker thread's job, not an event loop's. It is this process's load, not the
    // machine's: hints stretch to spare the API, not because something else shares its host.
    vertx.executeBlocking(HintInputs::cpuLoad, false).onSuccess(cpu -> load = cpu);
    boolean recount = recountDue();
    // The counters in Redis are read about now: dated when all the reads return (after a count of 150 ms, say), what
    // left the queue since would be taken as that much younger.
    Instant readAt = Instant.now();
    types.names()
        .compose(names -> Future.all(metrics.snapshot(names), metrics.hintDurations(names),
                recount ? store.queuedByTypeAndPriority(namespace, JobStore.QUEUED_COUNT_CAP)
                    : Future.succeededFuture(null),
                recount ? store.runningByType(namespace) : Future.succeededFuture(null))
            .onSuccess(all -> update(names, all.resultAt(0), all.resultAt(1), all.resultAt(2), all.resultAt(3),
                readAt)))
        .onFailure(e -> LOG.log(Level.FINE, "poll hints keep their last inputs", e))
        .onComplete(ar -> refreshing.set(false));
  }

  private synchronized boolean recountDue() {
    if (lastCountedAt == null || Duration.between(lastCountedAt, Instant.now()).toMillis() >= LARGE_COUNT_MS) {
      return true;
    }
    long total = 0;
    for (TypeState state : states.values()) {
      for (JobStore.Queued q : state.queued().values()) {
        total += q.count();
      }
    }
    return total < LARGE_COUNT;
  }

  /**
   * @param counted the queued jobs just counted, or null to keep the last count (and the bursts added since)
   * @param running the running jobs counted with them, or null with them
   * @param readAt when the reads began: when the counters of what finished and started were read
   */
  synchronized void update(List<String> names, JobMetrics.Snapshot snapshot, JobMetrics.HintDurations durations,
      Map<String, Map<Priority, JobStore.Queued>> counted, Map<String, JobStore.Running> running, Instant readAt) {
    long now = System.nanoTime() / 1_000_000;
    if (counted != null) {
      // Dated when it has come, after PostgreSQL counted: dated before, the jobs counted would seem to have waited
      // longer than they had, and a job younger than they had more of them ahead (a burst's jobs were told a round too
      // many).
      lastCountedAt = Instant.now();
    }
    Map<String, long[]> buckets = new HashMap<>();
    Map<String, long[]> firstReports = new HashMap<>();
    Map<String, long[]> lateReports = new HashMap<>();
    Map<String, long[]> claimLags = new HashMap<>();
    Map<String, Long> finished = new HashMap<>();
    names.forEach(type -> buckets.put(type, durations.byType().get(type)));
    names.forEach(type -> firstReports.put(type, durations.firstReportsByType().get(type)));
    names.forEach(type -> lateReports.put(type, durations.lateReportsByType().get(type)));
    names.forEach(type -> claimLags.put(type, durations.claimLagsByType().get(type)));
    snapshot.finished().forEach((typeAndStatus, n) -> finished.merge(typeAndStatus.split(" ")[0], n, Long::sum));
    Map<String, Long> started = new HashMap<>();
    snapshot.queueWaits().forEach((type, waits) -> started.put(type, waits.count()));
    if (counted != null) {
      finishedAtCount = atCount(names, finished);
      startedAtCount = atCount(names, started);
    }
    Map<String, TypeState> next = new HashMap<>();
    double factor = lastBuckets == null ? 0 : Math.pow(0.5, (now - lastAt) / HALF_LIFE_MS);
    // Rates are measured over a window of their own: finishes counted over a shorter one come in bursts, and a
    // capacity that rose with a burst would make every queued job's hint early.
    boolean measuring = lastFinished == null || now - lastRateAt >= RATE_WINDOW_MS;
    double seconds = lastFinished == null ? 0 : Math.max(0.001, (now - lastRateAt) / 1000.0);
    double rateFactor = lastFinished == null ? 0 : Math.pow(0.5, (now - lastRateAt) / RATE_HALF_LIFE_MS);
    throughput.retain(names);
    slots.retain(names);
    floods.retain(names);
    for (String type : names) {
      TypeState before = state(type);
      double rate = before.drainPerSecond();
      if (measuring && lastFinished != null) {
        long done = finished.getOrDefault(type, 0L) - lastFinished.getOrDefault(type, 0L);
        rate = before.drainPerSecond() * rateFactor + Math.max(0, done) / seconds * (1 - rateFactor);
      }
      Map<Priority, JobStore.Queued> queued = counted == null ? before.queued() : counted.getOrDefault(type, Map.of());
      long waiting = queued.values().stream().mapToLong(JobStore.Queued::count).sum();
      long[] all = buckets.get(type);
      double capacity = throughput.capacity(type, before.capacityPerSecond(), waiting, finished.getOrDefault(type, 0L),
          all == null ? new long[0] : all, now, now - lastAt);
      long left = leftSince(type, finished, started);
      // The same weight in every history of the type, so that they keep their weight against each other.
      double each = floods.share(type, finished.getOrDefault(type, 0L), waiting - Math.max(0, left), now);
      DurationHistory history = advanced(before.durations(), JobMetrics.HINT_BUCKETS_MS, all,
          lastBuckets == null ? null : lastBuckets.get(type), all, factor, each);
      FirstReports reports = new FirstReports(
          advanced(before.firstReports().shares(), JobMetrics.FIRST_REPORT_BUCKETS, firstReports.get(type),
              lastFirstReports == null ? null : lastFirstReports.get(type), all, factor, each),
          advanced(before.firstReports().lateLengths(), JobMetrics.HINT_BUCKETS_MS, lateReports.get(type),
              lastLateReports == null ? null : lastLateReports.get(type), all, factor, each),
          advanced(before.firstReports().claimLags(), JobMetrics.CLAIM_LAG_BUCKETS_MS, claimLags.get(type),
              lastClaimLags == null ? null : lastClaimLags.get(type), all, factor, each));
      JobStore.Running runs = running == null ? before.running()
          : slots.slots(type, running.getOrDefault(type, JobStore.Running.NONE), throughput.inFlight(type), now);
      next.put(type, new TypeState(history, reports, rate, capacity, throughput.rate(type), queued, runs,
          counted == null ? before.countedAt() : lastCountedAt, left, readAt, throughput.learnt(type)));
    }
    if (measuring) {
      lastFinished = finished;
      lastRateAt = now;
    }
    states = next;
    lastBuckets = buckets;
    lastFirstReports = firstReports;
    lastLateReports = lateReports;
    lastClaimLags = claimLags;
    lastAt = now;
  }

  private static Map<String, Long> atCount(List<String> names, Map<String, Long> counters) {
    Map<String, Long> at = new HashMap<>();
    names.forEach(type -> at.put(type, counters.getOrDefault(type, 0L)));
    return at;
  }

  /**
   * How many of the type's jobs left the queue since it was counted: the more of those whose first attempt started
   * and those that finished (a retry queued again leaves again, and is counted finishing only), either being a
   * little under; -1 if neither is known (or their counters started again).
   */
  private long leftSince(String type, Map<String, Long> finished, Map<String, Long> started) {
    return Math.max(since(finishedAtCount.get(type), finished.getOrDefault(type, 0L)),
        since(startedAtCount.get(type), started.getOrDefault(type, 0L)));
  }

  private static long since(Long atCount, long now) {
    return atCount == null || now < atCount ? -1 : now - atCount;
  }

  /**
   * A histogram after a refresh: {@code before} decayed by {@code factor}, plus what was counted since the last
   * refresh. On a type's first (this process's first, or the first since the type appeared), the process starts
   * knowing what the workers ever counted, as much as a few recent jobs (see {@link #seeded}): a restart of the API
   * does not make every type a cold start, what finishes next soon outweighs it, and a type that appears with a long
   * past (its counters were there before it was listed) does not come in with all of it at full weight.
   *
   * @param lastCounts the counts at the last refresh (null for a type not counted then)
   * @param allCounts the type's durations, all its jobs counted, which set the scale of the first refresh
   * @param each what each job counted since weighs (see {@link FloodWeight})
   */
  private static DurationHistory advanced(DurationHistory before, long[] bounds, long[] counts, long[] lastCounts,
      long[] allCounts, double factor, double each) {
    if (counts == null) {
      return before.decayAndAdd(factor, new long[0]);
    }
    return lastCounts == null ? seeded(bounds, counts, allCounts)
        : before.decayAndAdd(factor, minus(counts, lastCounts), each);
  }

  /**
   * A first history of {@code counts}: their shape, each job weighing what one of all the type's jobs counted
   * ({@code allCounts}) does when they all weigh {@link #STARTING_WEIGHT}. So the type's histograms of some of its
   * jobs (those that reported late, say) keep their weight against its durations.
   */
  static DurationHistory seeded(long[] bounds, long[] counts, long[] allCounts) {
    long all = allCounts == null ? 0 : Arrays.stream(allCounts).map(n -> Math.max(0, n)).sum();
    long these = Arrays.stream(counts).map(n -> Math.max(0, n)).sum();
    double scale = all <= STARTING_WEIGHT ? 1 : STARTING_WEIGHT / all;
    return DurationHistory.shapeOf(bounds, counts, these * scale);
  }

  private static long[] minus(long[] now, long[] before) {
    long[] delta = new long[now.length];
    for (int i = 0; i < now.length; i++) {
      delta[i] = now[i] - (before == null || i >= before.length ? 0 : before[i]);
    }
    return delta;
  }

  private static double cpuLoad() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      double cpu = os.getProcessCpuLoad();
      return cpu < 0 ? 0 : cpu;
    }
    return 0;
  }
}
