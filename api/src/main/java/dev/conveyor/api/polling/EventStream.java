package dev.conveyor.api.polling;

import dev.conveyor.api.http.Routes;
import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.http.Problem;
import dev.conveyor.api.jobs.JobReader;
import dev.conveyor.api.jobs.JobResponses;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobJson;
import dev.conveyor.jobs.Json;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /v1/jobs/{id}/events}: server-sent events, the current representation first, then one event per
 * change ({@code id:} the ETag), ending after the terminal one. {@code Last-Event-ID} skips an unchanged first event.
 * A reader that does not keep up is never buffered for: while its connection's queue is full nothing is written, the
 * next event carries the latest state, and a reader stuck for {@link #SLOW_READER_MS} is dropped.
 */
public final class EventStream implements Routes {
  private static final long HEARTBEAT_MS = 15_000;
  private static final long SLOW_READER_MS = 30_000;

  private final Vertx vertx;
  private final JobReader reader;
  private final ChangeNotices notices;
  private final JobWatcher watcher;
  private final HeldRequests held;
  private final PollHint hint;

  public EventStream(Vertx vertx, JobReader reader, ChangeNotices notices, JobWatcher watcher, HeldRequests held,
      PollHint hint) {
    this.vertx = vertx;
    this.reader = reader;
    this.notices = notices;
    this.watcher = watcher;
    this.held = held;
    this.hint = hint;
  }

  @Override
  public void mount(Router router) {
    router.get("/v1/jobs/:id/events").handler(this::stream);
  }

  private void stream(RoutingContext ctx) {
    String tenant = Authenticator.tenant(ctx);
    UUID id = JobIds.parse(ctx.pathParam("id")).orElseThrow(Problem::notFound);
    reader.find(tenant, id).onSuccess(found -> {
      if (found.isEmpty()) {
        ctx.fail(Problem.notFound());
        return;
      }
      try {
        held.hold(tenant);
      } catch (Problem tooMany) {
        ctx.fail(tooMany);
        return;
      }
      AtomicBoolean open = new AtomicBoolean(true);
      HttpServerResponse response = ctx.response()
          .putHeader("Content-Type", "text/event-stream; charset=utf-8")
          .putHeader("Cache-Control", "no-cache")
          .setChunked(true);
      response.closeHandler(v -> open.set(false));
      response.endHandler(v -> open.set(false));
      new Stream(tenant, id, response, open).send(ctx.request().getHeader("Last-Event-ID"))
          .onFailure(err -> response.reset())
          .onComplete(ar -> held.release(tenant));
    }).onFailure(ctx::fail);
  }

  /** One open stream: what was last sent, and when anything was last written. */
  private final class Stream {
    private final String tenant;
    private final UUID id;
    private final HttpServerResponse response;
    private final AtomicBoolean open;
    private long wroteAt = System.currentTimeMillis();

    Stream(String tenant, UUID id, HttpServerResponse response, AtomicBoolean open) {
      this.tenant = tenant;
      this.id = id;
      this.response = response;
      this.open = open;
    }

    /** Writes the job if it changed since {@code lastSent}, then waits for the next change; ends once terminal. */
    Future<Void> send(String lastSent) {
      if (!open.get()) {
        return Future.succeededFuture();
      }
      if (response.writeQueueFull()) {
        return drained().compose(v -> send(lastSent));
      }
      ChangeNotices.Watch watch = notices.watch(id);
      return reader.find(tenant, id).compose(found -> {
        if (found.isEmpty() || !open.get()) {
          watch.close();
          return response.end();
        }
        Job job = found.get();
        String etag = JobResponses.etag(job);
        String sent = lastSent;
        if (!etag.equals(lastSent)) {
          write("event: job\nid: " + etag + "\ndata: "
              + Json.write(JobJson.representation(job, hint.forJob(job, Instant.now()))) + "\n\n");
          sent = etag;
        }
        if (job.status().terminal() || watcher.closing()) {
          watch.close();
          return response.end();
        }
        String after = sent;
        return watcher.changeOrTimeout(watch, HEARTBEAT_MS).compose(v -> {
          if (open.get() && System.currentTimeMillis() - wroteAt >= HEARTBEAT_MS && !response.writeQueueFull()) {
            write(": keep-alive\n\n");
          }
          return send(after);
        });
      });
    }

    private void write(String text) {
      response.write(text);
      wroteAt = System.currentTimeMillis();
    }

    /** Completes when the connection can take more, or fails when the reader has not read for too long. */
    private Future<Void> drained() {
      Promise<Void> writable = Promise.promise();
      long timer = vertx.setTimer(SLOW_READER_MS, t -> writable.tryFail(new TimeoutException("slow reader")));
      response.drainHandler(v -> {
        vertx.cancelTimer(timer);
        writable.tryComplete();
      });
      response.closeHandler(v -> {
        open.set(false);
        vertx.cancelTimer(timer);
        writable.tryComplete();
      });
      return writable.future();
    }
  }
}
