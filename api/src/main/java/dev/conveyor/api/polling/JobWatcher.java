package dev.conveyor.api.polling;

import dev.conveyor.api.jobs.JobReader;
import dev.conveyor.jobs.Job;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Holds a read until the job satisfies a condition or a deadline passes, parked on change notices:
 * no thread waits, and a change wakes it within milliseconds.
 */
public final class JobWatcher {
  private final Vertx vertx;
  private final JobReader reader;
  private final ChangeNotices notices;

  public JobWatcher(Vertx vertx, JobReader reader, ChangeNotices notices) {
    this.vertx = vertx;
    this.reader = reader;
    this.notices = notices;
  }

  /** The job once {@code done} holds or at {@code deadline} (epoch ms), whichever is first; empty if not found. */
  public Future<Optional<Job>> until(String tenant, UUID id, Predicate<Job> done, long deadline) {
    ChangeNotices.Watch watch = notices.watch(id);
    return reader.find(tenant, id).compose(found -> {
      long left = deadline - System.currentTimeMillis();
      if (found.isEmpty() || done.test(found.get()) || left <= 0) {
        watch.close();
        return Future.succeededFuture(found);
      }
      return changeOrTimeout(watch, left).compose(v -> until(tenant, id, done, deadline));
    });
  }

  /** Completes at the next change of the watched job, or after {@code ms}, whichever comes first. */
  public Future<Void> changeOrTimeout(ChangeNotices.Watch watch, long ms) {
    Promise<Void> woken = Promise.promise();
    long timer = vertx.setTimer(ms, t -> woken.tryComplete());
    watch.changed().onComplete(ar -> woken.tryComplete());
    return woken.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      watch.close();
    });
  }
}
