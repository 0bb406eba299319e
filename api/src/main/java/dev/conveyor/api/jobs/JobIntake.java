package dev.conveyor.api.jobs;

import dev.conveyor.api.http.Problem;
import dev.conveyor.api.queue.OutboxRelay;
import dev.conveyor.jobs.Job;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.OutboxStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Accepts new jobs durably: job rows and their outbox rows in one transaction, then an immediate send.
 * Once this succeeds the job will reach Kafka even if the send fails or this process dies.
 */
public final class JobIntake {
  private static final Logger LOG = Logger.getLogger(JobIntake.class.getName());
  /** How long the direct send has before the relay's sweep takes over a fresh row. */
  private static final long DIRECT_SEND_GRACE_MS = 5_000;

  private final Pool pool;
  private final OutboxRelay relay;

  public JobIntake(Pool pool, OutboxRelay relay) {
    this.pool = pool;
    this.relay = relay;
  }

  public Future<Void> accept(List<Job> jobs) {
    Instant now = Instant.now();
    Instant sweepAfter = now.plusMillis(DIRECT_SEND_GRACE_MS);
    List<Instant> dueAts = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      boolean later = job.runAt() != null && job.runAt().isAfter(now);
      dueAts.add(later ? job.runAt() : sweepAfter);
    }
    return pool.withTransaction(conn -> JobStore.insert(conn, jobs)
            .compose(v -> OutboxStore.add(conn, jobs.stream().map(Job::id).toList(),
                jobs.stream().map(Job::type).toList(), dueAts)))
        .recover(err -> {
          LOG.log(Level.WARNING, "cannot store jobs", err);
          return Future.failedFuture(Problem.of(503, "store-unavailable", "Service unavailable",
              "The job cannot be stored durably right now; nothing was created. Retry later.")
              .withHeader("Retry-After", "2"));
        })
        .map(entries -> {
          List<OutboxStore.Entry> dueNow = new ArrayList<>(entries.size());
          for (int i = 0; i < entries.size(); i++) {
            if (dueAts.get(i) == sweepAfter) {
              dueNow.add(entries.get(i));
            }
          }
          relay.sendNow(dueNow);
          return null;
        });
  }
}
