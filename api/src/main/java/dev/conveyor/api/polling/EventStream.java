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
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /v1/jobs/{id}/events}: server-sent events, the current representation first, then one event per
 * change ({@code id:} the ETag), ending after the terminal one. {@code Last-Event-ID} skips an unchanged first event.
 */
public final class EventStream implements Routes {
  private static final long HEARTBEAT_MS = 15_000;

  private final JobReader reader;
  private final ChangeNotices notices;
  private final JobWatcher watcher;
  private final HeldRequests held;
  private final PollHint hint;

  public EventStream(JobReader reader, ChangeNotices notices, JobWatcher watcher, HeldRequests held, PollHint hint) {
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
      send(tenant, id, ctx.request().getHeader("Last-Event-ID"), response, open)
          .onFailure(err -> response.reset())
          .onComplete(ar -> held.release(tenant));
    }).onFailure(ctx::fail);
  }

  /** Writes the job if it changed since {@code lastSent}, then waits for the next change; ends once terminal. */
  private Future<Void> send(String tenant, UUID id, String lastSent, HttpServerResponse response,
      AtomicBoolean open) {
    if (!open.get()) {
      return Future.succeededFuture();
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
        response.write("event: job\nid: " + etag + "\ndata: "
            + Json.write(JobJson.representation(job, hint.forJob(job, Instant.now()))) + "\n\n");
        sent = etag;
      }
      if (job.status().terminal()) {
        watch.close();
        return response.end();
      }
      String after = sent;
      return watcher.changeOrTimeout(watch, HEARTBEAT_MS).compose(v -> {
        if (open.get() && !watch.changed().isComplete()) {
          response.write(": keep-alive\n\n");
        }
        return send(tenant, id, after, response, open);
      });
    });
  }
}
