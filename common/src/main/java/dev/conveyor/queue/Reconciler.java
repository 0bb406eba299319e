package dev.conveyor.queue;

import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;

/**
 * The safety net under the outbox: re-sends jobs that stayed {@code queued} well past due while Kafka holds no record
 * for them (a record lost by the cluster, or skipped by a bug). "No record in flight" is judged per type, over all
 * its queues' topics: the workers have committed past every offset those had at the previous round, so nothing sent
 * before then is still unread. A type with a backlog is left alone, however old its jobs: no record churns behind a queue. A duplicate
 * record is harmless, since a claim is conditional.
 */
public final class Reconciler {
  private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());
  private static final int BATCH = 1_000;

  private final Vertx vertx;
  private final QueueAdmin admin;
  private final JobStore jobs;
  private final JobTypeStore types;
  private final Topics topics;
  private final long afterMs;
  private final long periodMs;
  private Map<TopicPartition, Long> previousEnds;
  private Instant previousAt;
  private long timerId = -1;
  private boolean running;

  public Reconciler(Vertx vertx, QueueAdmin admin, JobStore jobs, JobTypeStore types, Topics topics, long afterMs) {
    this.vertx = vertx;
    this.admin = admin;
    this.jobs = jobs;
    this.types = types;
    this.topics = topics;
    this.afterMs = afterMs;
    this.periodMs = Math.max(500, Math.min(30_000, afterMs / 2));
  }

  public void start() {
    timerId = vertx.setPeriodic(periodMs, t -> round());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  private void round() {
    if (running) {
      return;
    }
    running = true;
    Instant now = Instant.now();
    types.names().compose(names -> Future.all(admin.endOffsets(topics.forTypes(names)), admin.committedOffsets())
            .compose(offsets -> {
              Map<TopicPartition, Long> ends = offsets.resultAt(0);
              List<String> drained = previousEnds == null ? List.of()
                  : drainedTypes(names, previousEnds, offsets.resultAt(1));
              Instant dueBefore = previousAt == null ? now : min(previousAt, now.minusMillis(afterMs));
              previousEnds = ends;
              previousAt = now;
              return drained.isEmpty() ? Future.succeededFuture(List.<java.util.UUID>of())
                  : jobs.resendStranded(topics.namespace(), drained, dueBefore, BATCH);
            }))
        .onSuccess(resent -> {
          if (!resent.isEmpty()) {
            LOG.warning("re-sent " + resent.size() + " jobs that were queued past due with no record in Kafka: "
                + resent.subList(0, Math.min(20, resent.size())) + (resent.size() > 20 ? " ..." : ""));
          }
        })
        .onFailure(err -> LOG.log(Level.FINE, "reconciler round failed; the next one retries", err))
        .onComplete(ar -> running = false);
  }

  /** Types whose topic exists and whose workers have read everything the topic held at the previous round. */
  List<String> drainedTypes(List<String> names, Map<TopicPartition, Long> ends, Map<TopicPartition, Long> committed) {
    List<String> drained = new ArrayList<>();
    for (String type : names) {
      List<String> ofType = topics.forTypes(List.of(type));
      boolean present = false;
      boolean read = true;
      for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        if (ofType.contains(end.getKey().topic())) {
          present = true;
          read &= committed.getOrDefault(end.getKey(), 0L) >= end.getValue();
        }
      }
      if (present && read) {
        drained.add(type);
      }
    }
    return drained;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
