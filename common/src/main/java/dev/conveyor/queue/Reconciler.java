package dev.conveyor.queue;

import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;

/**
 * The safety net under the outbox: re-sends jobs that stayed {@code queued} well past due while Kafka holds no record
 * for them (a record lost by the cluster, or skipped by a bug). Each round first notes the queued, long-due jobs with
 * no record owed, then the end offsets of their types' topics. A record sent for one of them was sent before its
 * outbox row went, so before that note, so below those ends. At the next round, for a type whose workers have
 * committed past every one of those ends, a noted job that is still queued and unchanged (its version the same, so
 * no claim, requeue or retry touched it) had its record read without being run: it gets one again. A type with a
 * backlog is left alone, however old its jobs: no record churns behind a queue. The reconcilers of several processes
 * take turns through an advisory lock; a duplicate record, should two act on notes of different rounds, is harmless,
 * since a claim is conditional.
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
  private List<JobStore.Seen> suspects = List.of();
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
    Instant dueBefore = Instant.now().minusMillis(afterMs);
    types.names().compose(names -> admin.committedOffsets().compose(committed -> {
      List<String> drained = previousEnds == null ? List.of() : drainedTypes(names, previousEnds, committed);
      List<JobStore.Seen> lost = suspects.stream().filter(job -> drained.contains(job.type())).toList();
      Future<List<UUID>> resent = lost.isEmpty() ? Future.succeededFuture(List.of())
          : jobs.resendUnchanged(topics.namespace(), lost);
      return resent.onSuccess(this::report)
          // Only types without a backlog are worth noting (and cheap to): the others are left alone anyway.
          .compose(ignored -> jobs.queuedWithoutRecord(topics.namespace(), previousEnds == null ? names : drained,
              dueBefore, BATCH))
          // Noted before the ends are read: every record sent for a noted job lies below them.
          .compose(noted -> admin.endOffsets(topics.forTypes(names)).map(ends -> {
            previousEnds = ends;
            suspects = noted;
            return ends;
          }));
    }))
        .onFailure(err -> {
          previousEnds = null;
          suspects = List.of();
          LOG.log(Level.FINE, "reconciler round failed; the next one retries", err);
        })
        .onComplete(ar -> running = false);
  }

  private void report(List<UUID> resent) {
    if (!resent.isEmpty()) {
      LOG.warning("re-sent " + resent.size() + " jobs that were queued past due with no record in Kafka: "
          + resent.subList(0, Math.min(20, resent.size())) + (resent.size() > 20 ? " ..." : ""));
    }
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
}
