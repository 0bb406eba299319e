package dev.conveyor.queue;

import dev.conveyor.deps.Dependencies;
import dev.conveyor.deps.Dependency;
import dev.conveyor.deps.DependencyUnavailable;
import dev.conveyor.jobs.Json;
import dev.conveyor.store.OutboxStore;
import dev.conveyor.trace.TraceContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends job records to their queue's topic (type, priority, lane), keyed by job id. {@code KafkaProducer.send} may block (metadata, full
 * buffer), so it runs on one dedicated thread; at most {@link #MAX_RECORDS} records wait for it or for their
 * acknowledgement, and past that a publish fails at once. Results come back on the caller's context.
 */
public final class JobPublisher implements AutoCloseable {
  private static final int MAX_RECORDS = 100_000;

  private final Vertx vertx;
  private final Topics topics;
  private final Dependency kafka;
  private final KafkaProducer<String, String> producer;
  private final Semaphore room = new Semaphore(MAX_RECORDS);
  private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "conveyor-publisher");
    t.setDaemon(true);
    return t;
  });

  public JobPublisher(Vertx vertx, String bootstrap, Topics topics, Dependency kafka) {
    this.vertx = vertx;
    this.topics = topics;
    this.kafka = kafka;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        // No wait for a batch to fill: records go at once, and batch themselves while earlier sends are in flight.
        ProducerConfig.LINGER_MS_CONFIG, 0,
        ProducerConfig.BATCH_SIZE_CONFIG, 65_536,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000),
        new StringSerializer(), new StringSerializer());
  }

  /**
   * Completes with the entries Kafka acknowledged, in order; fails only when none was, so one refused record (a topic
   * deleted by hand, say) never holds up the others.
   */
  public Future<List<OutboxStore.Entry>> publish(List<OutboxStore.Entry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return kafka.call(() -> send(entries));
  }

  /**
   * Sends one batch. Once one send fails for want of metadata (no broker answered within max.block.ms: Kafka is away),
   * the rest of the batch fails at once rather than each waiting as long; a batch still queued past the call's time
   * limit is dropped unsent, since its caller has given up on it.
   */
  private Future<List<OutboxStore.Entry>> send(List<OutboxStore.Entry> entries) {
    if (!room.tryAcquire(entries.size())) {
      return Future.failedFuture(new DependencyUnavailable("kafka", new IllegalStateException(
          "more than " + MAX_RECORDS + " records are waiting for Kafka")));
    }
    Context context = vertx.getOrCreateContext();
    Promise<List<OutboxStore.Entry>> promise = Promise.promise();
    boolean[] acked = new boolean[entries.size()];
    AtomicInteger pending = new AtomicInteger(entries.size());
    AtomicReference<Exception> firstError = new AtomicReference<>();
    Runnable oneDone = () -> {
      if (pending.decrementAndGet() == 0) {
        room.release(entries.size());
        context.runOnContext(v -> complete(promise, entries, acked, firstError.get()));
      }
    };
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Dependencies.KAFKA_TIMEOUT_MS);
    AtomicBoolean kafkaAway = new AtomicBoolean();
    try {
      sender.execute(() -> {
        if (System.nanoTime() > deadline) {
          firstError.set(new TimeoutException("the batch waited longer than its caller"));
          kafkaAway.set(true);
        }
        for (int i = 0; i < entries.size(); i++) {
          int index = i;
          if (kafkaAway.get()) {
            oneDone.run();
            continue;
          }
          try {
            producer.send(record(entries.get(i)), (metadata, error) -> {
              if (error == null) {
                acked[index] = true;
              } else {
                firstError.compareAndSet(null, error);
                // No metadata in time: reported here, not thrown, and the next send would wait as long.
                if (error instanceof TimeoutException && metadata != null && metadata.offset() < 0) {
                  kafkaAway.set(true);
                }
              }
              oneDone.run();
            });
          } catch (RuntimeException e) {
            firstError.set(e);
            kafkaAway.set(true);
            oneDone.run();
          }
        }
      });
    } catch (RejectedExecutionException closed) {
      room.release(entries.size());
      return Future.failedFuture(new DependencyUnavailable("kafka", closed));
    }
    return promise.future();
  }

  private static void complete(Promise<List<OutboxStore.Entry>> promise, List<OutboxStore.Entry> entries,
      boolean[] acked, Exception error) {
    List<OutboxStore.Entry> sent = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      if (acked[i]) {
        sent.add(entries.get(i));
      }
    }
    if (sent.isEmpty()) {
      promise.fail(error);
    } else {
      promise.complete(sent);
    }
  }

  private ProducerRecord<String, String> record(OutboxStore.Entry entry) {
    String value = Json.write(Json.object().put("id", entry.jobId().toString()).put("type", entry.queue().type()));
    ProducerRecord<String, String> record = new ProducerRecord<>(topics.forQueue(entry.queue()),
        entry.jobId().toString(), value);
    QueueOrder.put(record.headers(), entry.queuedAt());
    // Each record is a span of the job's trace of its own: a job sent again is another hop.
    TraceContext.parse(entry.traceparent()).ifPresent(trace -> record.headers()
        .add(TraceContext.HEADER_NAME, trace.child().header().getBytes(StandardCharsets.US_ASCII)));
    return record;
  }

  /** Blocks while buffered records are sent (bounded); call off the event loop. */
  @Override
  public void close() {
    sender.shutdown();
    producer.close(Duration.ofSeconds(5));
  }
}
