package dev.conveyor.api.queue;

import dev.conveyor.jobs.Json;
import dev.conveyor.queue.Topics;
import dev.conveyor.store.OutboxStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends job records to Kafka. {@code KafkaProducer.send} may block (metadata, full buffer), so it runs on one
 * dedicated thread behind a bounded queue; results come back on the caller's Vert.x context.
 */
public final class JobPublisher implements AutoCloseable {
  private static final int QUEUE_CAPACITY = 10_000;

  private final Vertx vertx;
  private final Topics topics;
  private final KafkaProducer<String, String> producer;
  private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
        Thread t = new Thread(r, "conveyor-publisher");
        t.setDaemon(true);
        return t;
      });

  public JobPublisher(Vertx vertx, String bootstrap, Topics topics) {
    this.vertx = vertx;
    this.topics = topics;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 2,
        ProducerConfig.BATCH_SIZE_CONFIG, 65_536,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000),
        new StringSerializer(), new StringSerializer());
  }

  /** Completes when Kafka acknowledged every record, or fails with the first error. */
  public Future<Void> publish(List<OutboxStore.Entry> entries) {
    Context context = vertx.getOrCreateContext();
    Promise<Void> promise = Promise.promise();
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    AtomicInteger pending = new AtomicInteger(entries.size());
    AtomicReference<Exception> firstError = new AtomicReference<>();
    try {
      sender.execute(() -> {
        for (OutboxStore.Entry entry : entries) {
          try {
            producer.send(record(entry), (metadata, error) -> {
              if (error != null) {
                firstError.compareAndSet(null, error);
              }
              if (pending.decrementAndGet() == 0) {
                context.runOnContext(v -> complete(promise, firstError.get()));
              }
            });
          } catch (RuntimeException e) {
            firstError.compareAndSet(null, e);
            if (pending.decrementAndGet() == 0) {
              context.runOnContext(v -> complete(promise, firstError.get()));
            }
          }
        }
      });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(new IllegalStateException("publisher queue is full", e));
    }
    return promise.future();
  }

  private ProducerRecord<String, String> record(OutboxStore.Entry entry) {
    String value = Json.write(Json.object().put("id", entry.jobId().toString()).put("type", entry.type()));
    return new ProducerRecord<>(topics.jobs(), entry.jobId().toString(), value);
  }

  private static void complete(Promise<Void> promise, Exception error) {
    if (error == null) {
      promise.complete();
    } else {
      promise.fail(error);
    }
  }

  @Override
  public void close() {
    sender.shutdown();
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
