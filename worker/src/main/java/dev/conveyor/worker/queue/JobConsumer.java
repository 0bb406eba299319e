package dev.conveyor.worker.queue;

import dev.conveyor.queue.Topics;
import dev.conveyor.worker.run.JobRunner;
import dev.conveyor.trace.TraceContext;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedMemberEpochException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The worker's consumer verticle, deployed on Vert.x's worker threading model: its turns (one poll of the Kafka
 * consumer and the bookkeeping around it) run one after another on a worker thread, never on an event loop, while the
 * claims and status writes they start run on the event loop. It is in the workers' consumer group (Kafka 4's consumer
 * protocol), subscribed to the topics of every queue of the types this worker runs. It never runs a handler: it hands
 * records to at most {@code slots} job runs, in the order {@link LookAhead} chooses among the records read ahead, and
 * pauses each partition while it holds its share of its queue's buffer. A record's offset is committed once its job
 * is claimed (from then on the job's lease in PostgreSQL protects it), so a long job holds up no partition; a record
 * whose job waits for room under its type's concurrency limit stays read ahead, uncommitted.
 */
public final class JobConsumer extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(JobConsumer.class.getName());
  private static final Duration POLL = Duration.ofMillis(200);
  /** After the loop failed, how long the told-to-stop handlers get to return and their jobs to be handed back. */
  private static final long FAILED_HAND_BACK_MS = 3_000;
  /** While some partitions are paused, the consumer polls (without waiting) at most this often. */
  private static final long PAUSED_POLL_MS = 10;
  private static final int MAX_COMMIT_ATTEMPTS = 10;
  private static final int MIN_POLL_RECORDS = 500;
  private static final int FETCH_MAX_WAIT_MS = 100;
  /**
   * Records read ahead per queue, at least: a queue whose buffer runs dry waits a fetch to be refilled, and meanwhile
   * lower queues would take its starts.
   */
  private static final int MIN_READ_AHEAD = 100;
  /**
   * Offsets are committed at most this often while running: a record read again after a crash finds its job claimed
   * already, so committing once per job would only cost the broker work.
   */
  private static final long COMMIT_EVERY_MS = 100;

  /** What happened to a job run: its claim settled, its handler returned (slot free), or its outcome is written. */
  private enum Kind { CLAIM_SETTLED, SLOT_FREED, WRITTEN }

  /**
   * {@code release}: how the claim settled, or null if it could not be settled (the record is read again);
   * {@code epoch}: the partition's bookkeeping when the record was dispatched, so that an event of a run begun before
   * the partition was lost and assigned again touches nothing of the new one.
   */
  private record Event(Kind kind, ConsumerRecord<String, String> record, JobRunner.Release release, Object epoch) {
    TopicPartition partition() {
      return new TopicPartition(record.topic(), record.partition());
    }
  }

  private final KafkaConsumer<String, String> consumer;
  private final List<String> subscribed;
  private final JobRunner runner;
  private final int slots;
  private final OffsetTracker offsets = new OffsetTracker();
  private final LookAhead waiting;
  private final Queue<Event> events = new ConcurrentLinkedQueue<>();
  /** Set once a freed slot has woken the consumer, so a burst of finishing jobs wakes it once, not once each. */
  private final AtomicBoolean woken = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile boolean running = true;
  private volatile long stopDeadline;
  private volatile long handBackWaitMs;
  /** Runs whose handler may still run: each holds a slot. */
  private int inFlight;
  /** Runs whose outcome is not written yet, handler returned or not: at most twice the slots. */
  private int unwritten;
  private Set<TopicPartition> pausedPartitions = Set.of();
  private long polledAt;
  /** Set while the consumer thread is in (or about to enter) poll: only then is a wakeup worth its exception. */
  private volatile boolean polling;
  private long committedAt;

  public JobConsumer(String bootstrap, Topics topics, Collection<String> types, String workerId, JobRunner runner,
      int slots, Map<String, Integer> typeLimits) {
    this.subscribed = topics.forTypes(types);
    this.runner = runner;
    this.slots = slots;
    this.waiting = new LookAhead(topics, types, Math.max(slots, MIN_READ_AHEAD), typeLimits,
        RandomGenerator.getDefault());
    this.consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_PROTOCOL_CONFIG, GroupProtocol.CONSUMER.name(),
        ConsumerConfig.GROUP_ID_CONFIG, topics.workerGroup(),
        // Range splits each topic among its members, so every worker gets a share of every type's jobs.
        ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range",
        ConsumerConfig.CLIENT_ID_CONFIG, workerId,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        // One poll may see records of every queue, so that the first starts already follow the priorities.
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(slots, MIN_POLL_RECORDS),
        // A resumed partition is fetched only once the fetch in flight returns, which the broker holds this long
        // when the partitions it names have nothing new: kept short, so a queue that ran dry is refilled at once.
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS),
        new StringDeserializer(), new StringDeserializer());
  }

  /** The options to deploy this verticle with: its turns block (in poll), so never on an event loop. */
  public static DeploymentOptions deployment() {
    return new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER);
  }

  @Override
  public Future<?> start() {
    consumer.subscribe(subscribed, new Rebalance());
    context.runOnContext(v -> turn());
    return Future.succeededFuture();
  }

  /** Completes when the consumer loop has ended, normally after {@link #stop}, or exceptionally on a fatal error. */
  public CompletableFuture<Void> ended() {
    return ended;
  }

  /**
   * Stops taking records and gives running jobs until {@code graceMs} to finish; then tells the rest to stop and
   * gives their handlers {@code handBackMs} to return, so their jobs go back to the queue. Commits and leaves the
   * group. Blocks until done; call from a plain thread.
   */
  public void stop(long graceMs, long handBackMs) {
    stopDeadline = System.currentTimeMillis() + graceMs;
    handBackWaitMs = handBackMs;
    running = false;
    consumer.wakeup();
    synchronized (events) {
      events.notifyAll();
    }
    try {
      stopped.await(graceMs + handBackMs + 10_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One turn of the consumer: settle, then poll (or wait for a slot), then schedule the next turn on this verticle's
   * context. Once stopping, the last turn lets running jobs finish, hands the rest back, commits and closes.
   */
  private void turn() {
    try {
      if (running) {
        pollOnce();
        context.runOnContext(v -> turn());
        return;
      }
      waiting.clear();
      drainUntil(stopDeadline);
      if (inFlight > 0) {
        LOG.warning(inFlight + " jobs still running at the end of the grace period; handing them back to the queue");
        runner.handBackAll();
      }
      // Handed back or finished, every outcome gets the hand-back time to be written before the runner stops.
      drainUntil(System.currentTimeMillis() + handBackWaitMs);
      commitSync(offsets.committable());
      close(null);
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "consumer loop failed; handing this worker's jobs back", e);
      try {
        runner.handBackAll();
        awaitRunsQuietly(System.currentTimeMillis() + FAILED_HAND_BACK_MS);
      } finally {
        close(e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e));
      }
    }
  }

  private void pollOnce() {
    woken.set(false);
    settle();
    long sincePoll = monotonicMs() - polledAt;
    if (!pausedPartitions.isEmpty() && sincePoll < PAUSED_POLL_MS) {
      // While a partition is paused, Kafka's poll spins until its timeout whenever fetched data waits behind the
      // pause, so it is called without a timeout, and no more often than this; a freed slot ends the wait.
      awaitEvent(PAUSED_POLL_MS - sincePoll);
      return;
    }
    polledAt = monotonicMs();
    applyPauses();
    polling = true;
    try {
      if (woken.get()) {
        return;
      }
      // A freed slot interrupts a poll that waits (wakeup); a limited type due to try again ends it too.
      Duration timeout = pausedPartitions.isEmpty()
          ? Duration.ofMillis(Math.min(POLL.toMillis(), waiting.nextRetryAt(polledAt) - polledAt)) : Duration.ZERO;
      for (ConsumerRecord<String, String> record : consumer.poll(timeout)) {
        offsets.begin(new TopicPartition(record.topic(), record.partition()), record.offset());
        waiting.add(record);
      }
    } catch (WakeupException e) {
      // a slot freed or we are stopping: settle at once
    } catch (UnknownMemberIdException | FencedMemberEpochException | StaleMemberEpochException fenced) {
      // The group fenced this member (a broker restarted, say) while the poll fetched committed offsets. The consumer
      // rejoins by itself and its lost partitions are forgotten in the rebalance callback: poll again.
      LOG.warning("fenced by the consumer group (" + fenced.getMessage() + "); rejoining");
    } finally {
      polling = false;
    }
  }

  private boolean hasRoom() {
    return inFlight < slots && unwritten < 2 * slots;
  }

  private void close(RuntimeException failure) {
    try {
      runner.stop();
      consumer.close(Duration.ofSeconds(5));
    } finally {
      stopped.countDown();
    }
    // Last, since whoever waits on it may stop this process, and stopping waits for the latch above.
    if (failure == null) {
      ended.complete(null);
    } else {
      ended.completeExceptionally(failure);
    }
  }

  /** Books settled claims and freed slots, commits what moved, starts waiting records. */
  private void settle() {
    Event e;
    while ((e = events.poll()) != null) {
      book(e);
    }
    long now = monotonicMs();
    Map<TopicPartition, OffsetAndMetadata> commit = now - committedAt < COMMIT_EVERY_MS ? Map.of()
        : offsets.committable();
    if (!commit.isEmpty()) {
      committedAt = now;
      consumer.commitAsync(commit, (committed, err) -> {
        if (err != null) {
          LOG.log(Level.FINE, "offset commit failed; a later commit covers it", err);
        }
      });
    }
    while (running && hasRoom()) {
      ConsumerRecord<String, String> next = waiting.next(now);
      if (next == null) {
        break;
      }
      dispatch(next);
    }
  }

  /**
   * Pauses the partitions that hold their share of the read-ahead and resumes the rest. Only just before a poll, where
   * it takes effect: each call waits on the consumer's background thread, and between two polls a partition may go
   * back and forth many times as records start.
   */
  private void applyPauses() {
    Set<TopicPartition> full = waiting.partitionsToPause(consumer.assignment(), pausedPartitions);
    if (!full.equals(pausedPartitions)) {
      // Only what changed: just after a rebalance the assignment read here may still list a revoked partition, which
      // is in neither set (its records were forgotten), and pausing or resuming it would throw.
      Set<TopicPartition> pause = new HashSet<>(full);
      pause.removeAll(pausedPartitions);
      Set<TopicPartition> resume = new HashSet<>(pausedPartitions);
      resume.removeAll(full);
      consumer.pause(pause);
      consumer.resume(resume);
      pausedPartitions = full;
    }
  }

  private void dispatch(ConsumerRecord<String, String> record) {
    inFlight++;
    unwritten++;
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    Object epoch = offsets.epoch(tp);
    String source = tp + "@" + record.offset();
    Header trace = record.headers().lastHeader(TraceContext.HEADER_NAME);
    JobRunner.Run run = runner.run(record.key(), record.value(), source,
        trace == null || trace.value() == null ? null : new String(trace.value(), StandardCharsets.US_ASCII));
    run.released().onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(Level.WARNING, "record " + source + " left unread, to be read again", ar.cause());
      }
      signal(new Event(Kind.CLAIM_SETTLED, record, ar.result(), epoch));
    });
    run.slotFreed().onComplete(ar -> signal(new Event(Kind.SLOT_FREED, record, null, epoch)));
    // The claim settled before the work on it ended, so its answer is known here.
    run.finished().onComplete(ar -> signal(new Event(Kind.WRITTEN, record, run.released().result(), epoch)));
  }

  private void book(Event e) {
    switch (e.kind()) {
      case CLAIM_SETTLED -> settled(e);
      case SLOT_FREED -> inFlight--;
      case WRITTEN -> {
        unwritten--;
        waiting.ended(e.record(), e.release() == JobRunner.Release.CLAIMED);
      }
    }
  }

  /** A claimed (or skipped) record is done with; one whose job waits for room under its type's limit is kept. */
  private void settled(Event e) {
    if (offsets.epoch(e.partition()) != e.epoch()) {
      return;
    }
    if (e.release() == JobRunner.Release.CLAIMED || e.release() == JobRunner.Release.SKIPPED) {
      offsets.complete(e.partition(), e.record().offset());
    } else if (e.release() == JobRunner.Release.OVER_LIMIT && running) {
      waiting.overLimit(e.record(), monotonicMs());
    }
  }

  /**
   * Hands an event to the consumer thread. Only a freed slot or a written outcome is worth interrupting its poll for (a
   * waiting record can start); a settled claim waits for the next turn of the loop, at most one poll away, to be
   * committed.
   */
  private void signal(Event event) {
    events.add(event);
    // The consumer sets polling, then reads woken; this sets woken, then reads polling: one of them sees the other.
    if (event.kind() != Kind.CLAIM_SETTLED && woken.compareAndSet(false, true)) {
      if (polling) {
        consumer.wakeup();
      }
      synchronized (events) {
        events.notifyAll();
      }
    }
  }

  /** Blocks until an event arrives or {@code ms} pass; from here on, a freed slot notifies again. */
  private void awaitEvent(long ms) {
    synchronized (events) {
      woken.set(false);
      if (events.isEmpty() && running) {
        try {
          events.wait(Math.max(1, ms));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Waits for runs to end without touching the consumer, which may be what failed. */
  private void awaitRunsQuietly(long deadline) {
    while (System.currentTimeMillis() < deadline) {
      Event e;
      while ((e = events.poll()) != null) {
        book(e);
      }
      if (inFlight <= 0 && unwritten <= 0) {
        return;
      }
      sleepQuietly();
    }
  }

  private void drainUntil(long deadline) {
    while ((inFlight > 0 || unwritten > 0) && System.currentTimeMillis() < deadline) {
      settle();
      sleepQuietly();
    }
    settle();
  }

  /**
   * Commits and waits for the answer. A job finishing wakes the consumer, which interrupts a blocking commit: try
   * again. A commit that fails otherwise (the partition already moved) is dropped: the records it covered were claimed
   * already, so whoever reads them again finds nothing to do.
   */
  private void commitSync(Map<TopicPartition, OffsetAndMetadata> commit) {
    boolean swallowed = false;
    try {
      for (int attempt = 0; attempt < MAX_COMMIT_ATTEMPTS && !commit.isEmpty(); attempt++) {
        try {
          consumer.commitSync(commit);
          return;
        } catch (WakeupException woken) {
          // a job finished meanwhile: commit again
          swallowed = true;
        } catch (KafkaException e) {
          LOG.log(Level.FINE, "offset commit failed; the records it covered will be read again and skipped", e);
          return;
        }
      }
    } finally {
      // Called from a rebalance inside poll: the wakeup was meant for that poll, which must still end.
      if (swallowed && running) {
        consumer.wakeup();
      }
    }
  }

  /** For intervals: immune to the wall clock being set. */
  private static long monotonicMs() {
    return System.nanoTime() / 1_000_000;
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      commitSync(offsets.committable(revoked));
      forget(revoked);
    }

    /** The group moved on without us (our session expired): nothing of ours may be committed, only dropped. */
    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      LOG.warning("lost partitions " + lost + " to the group; their unclaimed records go to other workers");
      forget(lost);
    }

    /** Nothing to pause: a partition new here has nothing read ahead. */
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
    }

    private void forget(Collection<TopicPartition> gone) {
      offsets.forget(gone);
      waiting.forget(gone);
      Set<TopicPartition> paused = new HashSet<>(pausedPartitions);
      paused.removeAll(gone);
      pausedPartitions = paused;
    }
  }
}
