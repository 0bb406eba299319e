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
  private static final long RECHECK_MS = 5_000;
  private static final long DEAF_RECHECK_MS = 1_000;
  private final Vertx vertx;
  private final JobReader reader;
  private final ChangeNotices notices;
  private volatile boolean closing;

  public JobWatcher(Vertx vertx, JobReader reader, ChangeNotices notices) {
    this.vertx = vertx;
    this.reader = reader;
    this.notices = notices;
  }

  /** The process is stopping: every held read answers now with what it has. */
  public void close() {
    closing = true;
    notices.wakeAll();
  }

  public boolean closing() {
    return closing;
  }

  /** The job once {@code done} holds or at {@code deadline} (epoch ms), whichever is first; empty if not found. */
  public Future<Optional<Job>> until(String tenant, UUID id, Predicate<Job> done, long deadline) {
    ChangeNotices.Watch watch = notices.watch(id);
    return reader.find(tenant, id).onFailure(err -> watch.close()).compose(found -> {
      long left = deadline - System.currentTimeMillis();
      if (found.isEmpty() || done.test(found.get()) || left <= 0 || closing) {
        watch.close();
        return Future.succeededFuture(found);
      }
      return changeOrTimeout(watch, left).compose(v -> until(tenant, id, done, deadline));
    });
  }

  /**
   * Completes at the next change of the watched job, or after {@code ms}, whichever comes first; never later than a
   * re-check, since a notice can be missed (a writer that could not reach Redis), and sooner while notices are not heard.
   */
  public Future<Void> changeOrTimeout(ChangeNotices.Watch watch, long ms) {
    Promise<Void> woken = Promise.promise();
    long recheck = notices.listening() ? RECHECK_MS : DEAF_RECHECK_MS;
    long timer = vertx.setTimer(Math.max(1, Math.min(ms, recheck)), t -> woken.tryComplete());
    watch.changed().onComplete(ar -> woken.tryComplete());
    return woken.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      watch.close();
    });
  }
}
