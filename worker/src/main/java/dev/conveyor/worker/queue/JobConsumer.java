package dev.conveyor.worker.queue;

import dev.conveyor.queue.Topics;
import dev.conveyor.worker.run.JobRunner;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The worker's one consumer thread. It never runs a handler: it hands records to at most {@code slots} job runs,
 * keeps at most as many waiting, pauses its partitions while they wait (so a slow job stalls nothing but its
 * slot), and commits per partition only past records whose jobs are done.
 */
public final class JobConsumer {
  private static final Logger LOG = Logger.getLogger(JobConsumer.class.getName());
  private static final Duration POLL = Duration.ofMillis(200);
  /** After interrupting, how long the jobs' requeue writes get before the consumer closes anyway. */
  private static final long REQUEUE_WAIT_MS = 5_000;

  private record Done(TopicPartition partition, long offset) {
  }

  private final KafkaConsumer<String, String> consumer;
  private final Topics topics;
  private final JobRunner runner;
  private final int slots;
  private final OffsetTracker offsets = new OffsetTracker();
  private final Queue<ConsumerRecord<String, String>> waiting = new ArrayDeque<>();
  private final Queue<Done> done = new ConcurrentLinkedQueue<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long stopDeadline;
  private int inFlight;
  private boolean paused;

  public JobConsumer(String bootstrap, Topics topics, String workerId, JobRunner runner, int slots) {
    this.topics = topics;
    this.runner = runner;
    this.slots = slots;
    this.consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, topics.workerGroup(),
        ConsumerConfig.CLIENT_ID_CONFIG, workerId,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, slots,
        // A worker that dies without leaving the group holds its partitions this long.
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000,
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"),
        new StringDeserializer(), new StringDeserializer());
    this.thread = new Thread(this::loop, "conveyor-consumer");
  }

  public void start() {
    thread.start();
  }

  /** Completes when the consumer loop has ended, normally after {@link #stop}, or exceptionally on a fatal error. */
  public CompletableFuture<Void> ended() {
    return ended;
  }

  /** Stops taking records, gives running jobs until the grace period ends, commits, and leaves the group. */
  public void stop(long graceMs) {
    stopDeadline = System.currentTimeMillis() + graceMs;
    running = false;
    consumer.wakeup();
    try {
      stopped.await(graceMs + 10_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    RuntimeException failure = null;
    try {
      consumer.subscribe(List.of(topics.jobs()), new Rebalance());
      while (running) {
        settle();
        try {
          for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
            offsets.begin(new TopicPartition(record.topic(), record.partition()), record.offset());
            waiting.add(record);
          }
        } catch (WakeupException e) {
          // a job finished or we are stopping: settle at once
        }
      }
      waiting.clear();
      drainUntil(stopDeadline);
      if (inFlight > 0) {
        LOG.warning(inFlight + " jobs still running at the end of the grace period; handing them back to the queue");
        runner.interruptAll();
        drainUntil(System.currentTimeMillis() + REQUEUE_WAIT_MS);
      }
      commitSync(offsets.committable());
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "consumer loop failed", e);
      failure = e;
    } finally {
      runner.stop();
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
    // Last, since whoever waits on it may stop this process, and stopping waits for the latch above.
    if (failure == null) {
      ended.complete(null);
    } else {
      ended.completeExceptionally(failure);
    }
  }

  /** Books finished jobs, commits what moved, starts waiting records, pauses or resumes. */
  private void settle() {
    Done d;
    while ((d = done.poll()) != null) {
      offsets.complete(d.partition, d.offset);
      inFlight--;
    }
    Map<TopicPartition, OffsetAndMetadata> commit = offsets.committable();
    if (!commit.isEmpty()) {
      consumer.commitAsync(commit, (committed, err) -> {
        if (err != null) {
          LOG.log(Level.FINE, "offset commit failed; a later commit covers it", err);
        }
      });
    }
    while (running && inFlight < slots && !waiting.isEmpty()) {
      dispatch(waiting.poll());
    }
    boolean full = waiting.size() >= slots;
    if (full && !paused) {
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (!full && paused) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  private void dispatch(ConsumerRecord<String, String> record) {
    inFlight++;
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    runner.run(record.key(), record.value()).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(Level.WARNING, "job record " + record.key() + " left for redelivery", ar.cause());
      }
      done.add(new Done(tp, ar.succeeded() ? record.offset() : -1));
      consumer.wakeup();
    });
  }

  private void drainUntil(long deadline) {
    while (inFlight > 0 && System.currentTimeMillis() < deadline) {
      settle();
      sleepQuietly();
    }
    settle();
  }

  /** A pending wakeup (a job finished) may interrupt the first try; the second one runs through. */
  private void commitSync(Map<TopicPartition, OffsetAndMetadata> commit) {
    try {
      consumer.commitSync(commit);
    } catch (WakeupException e) {
      consumer.commitSync(commit);
    }
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
      offsets.forget(revoked);
      waiting.removeIf(r -> revoked.contains(new TopicPartition(r.topic(), r.partition())));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      if (paused) {
        consumer.pause(assigned);
      }
    }
  }
}
