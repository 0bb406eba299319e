package dev.conveyor.deploy.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Submits single noop jobs at a fixed rate whatever the answers do (open loop): request i is due at start + i / rate
 * and goes out then, answered or not the ones before it, over up to 64 connections. Its latency counts from that
 * intended moment, so a server that stalls shows as latency rather than as fewer requests (no coordinated omission).
 */
final class OpenLoopLoad {
  private static final int CONNECTIONS = 64;
  /** How long answers may still come once the last request is due. */
  private static final Duration ANSWER_GRACE = Duration.ofSeconds(30);

  /**
   * What a run did: requests due and sent, answers by status, requests that failed (connection error, timeout) or
   * had no answer within the grace, and the submit latency from each request's intended send time.
   */
  record Result(int rate, double seconds, int sent, Map<Integer, Long> statuses, long failed, long unanswered,
      Percentiles submit, @JsonIgnore List<UUID> accepted) {
  }

  private OpenLoopLoad() {
  }

  static Result run(Vertx vertx, int port, String key, int rate, Duration duration)
      throws InterruptedException, TimeoutException {
    int count = (int) (rate * duration.toSeconds());
    // Every request is made on one event loop, that of its connections: a response handed over from another thread
    // can end before its body is asked for, and that request would never complete.
    Context context = vertx.getOrCreateContext();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS).setMaxWaitQueueSize(count));
    Histogram latencies = new ConcurrentHistogram(3);
    Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    LongAdder failed = new LongAdder();
    Queue<UUID> accepted = new ConcurrentLinkedQueue<>();
    CountDownLatch answered = new CountDownLatch(count);
    double intervalNs = TimeUnit.SECONDS.toNanos(1) / (double) rate;
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long intended = start + (long) (i * intervalNs);
      for (long wait = intended - System.nanoTime(); wait > 0; wait = intended - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      context.runOnContext(v -> client.request(new RequestOptions().setMethod(HttpMethod.POST)
              .setHost("127.0.0.1").setPort(port).setURI("/v1/jobs").putHeader("Authorization", "Bearer " + key)
              .putHeader("Content-Type", "application/json").setIdleTimeout(ANSWER_GRACE.toMillis()))
          .compose(request -> request.send(ConveyorClient.NOOP))
          .compose(response -> response.body().map(body -> response))
          .onComplete(done -> {
            if (done.succeeded()) {
              latencies.recordValue((System.nanoTime() - intended) / 1000);
              statuses.computeIfAbsent(done.result().statusCode(), s -> new LongAdder()).increment();
              String location = done.result().getHeader("Location");
              if (done.result().statusCode() == 202 && location != null) {
                accepted.add(UUID.fromString(location.substring(location.lastIndexOf('/') + 1)));
              }
            } else {
              failed.increment();
            }
            answered.countDown();
          }));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    answered.await(ANSWER_GRACE.toSeconds(), TimeUnit.SECONDS);
    // Taken before the close, which fails the requests still unanswered.
    Map<Integer, Long> byStatus = new TreeMap<>();
    statuses.forEach((status, n) -> byStatus.put(status, n.sum()));
    Result result = new Result(rate, seconds, count, byStatus, failed.sum(), answered.getCount(),
        Percentiles.ofMicros(latencies), List.copyOf(accepted));
    client.close().await(10, TimeUnit.SECONDS);
    return result;
  }
}
