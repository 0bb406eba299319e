package dev.conveyor.api.polling;

import dev.conveyor.api.http.Routes;
import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.http.Problem;
import dev.conveyor.api.jobs.JobFields;
import dev.conveyor.api.jobs.JobReader;
import dev.conveyor.api.jobs.JobResponses;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobJson;
import dev.conveyor.jobs.Json;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
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
    JobFields fields = JobFields.of(ctx);
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
          // Each event must leave at once, never held back in a compressor's buffer.
          .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
          .setChunked(true);
      response.closeHandler(v -> open.set(false));
      response.endHandler(v -> open.set(false));
      new Stream(tenant, id, fields, response, open).send(ctx.request().getHeader("Last-Event-ID"))
          .onFailure(err -> response.reset())
          .onComplete(ar -> held.release(tenant));
    }).onFailure(ctx::fail);
  }

  /** One open stream: what was last sent, and when anything was last written. */
  private final class Stream {
    private final String tenant;
    private final UUID id;
    private final JobFields fields;
    private final HttpServerResponse response;
    private final AtomicBoolean open;
    private long wroteAt = System.currentTimeMillis();

    Stream(String tenant, UUID id, JobFields fields, HttpServerResponse response, AtomicBoolean open) {
      this.tenant = tenant;
      this.id = id;
      this.fields = fields;
      this.response = response;
      this.open = open;
    }

    /** Streams until the job is terminal, the client leaves or the server stops; fails if the stream must be cut. */
    Future<Void> send(String lastEventId) {
      Promise<Void> done = Promise.promise();
      round(lastEventId, done);
      return done.future();
    }

    /**
     * Writes the job if it changed since {@code lastSent}, then waits for the next change and goes round again. Each
     * round starts from a callback, so a stream open for hours builds up neither a stack nor a chain of futures.
     */
    private void round(String lastSent, Promise<Void> done) {
      if (!open.get()) {
        done.tryComplete();
        return;
      }
      if (response.writeQueueFull()) {
        drained().onSuccess(v -> round(lastSent, done)).onFailure(done::tryFail);
        return;
      }
      ChangeNotices.Watch watch = notices.watch(id);
      reader.find(tenant, id).onFailure(err -> {
        watch.close();
        done.tryFail(err);
      }).onSuccess(found -> {
        if (found.isEmpty() || !open.get()) {
          watch.close();
          response.end().onComplete(ar -> done.tryComplete());
          return;
        }
        Job job = found.get();
        String etag = JobResponses.etag(job);
        String sent = lastSent;
        if (!etag.equals(lastSent)) {
          write("event: job\nid: " + etag + "\ndata: "
              + Json.write(fields.select(JobJson.representation(job, hint.forJob(job, Instant.now())))) + "\n\n");
          sent = etag;
        }
        if (job.status().terminal() || watcher.closing()) {
          watch.close();
          response.end().onComplete(ar -> done.tryComplete());
          return;
        }
        String after = sent;
        watcher.changeOrTimeout(watch, HEARTBEAT_MS).onComplete(v -> {
          if (open.get() && System.currentTimeMillis() - wroteAt >= HEARTBEAT_MS && !response.writeQueueFull()) {
            write(": keep-alive\n\n");
          }
          round(after, done);
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
