package dev.conveyor.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.http.Problem;
import dev.conveyor.api.polling.HeldRequests;
import dev.conveyor.api.polling.JobWatcher;
import dev.conveyor.api.polling.Waits;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Predicate;
import java.util.UUID;

/** {@code POST /v1/jobs} and {@code GET /v1/jobs/{id}}. */
public final class JobRoutes {
  private final JobIntake intake;
  private final JobReader reader;
  private final KnownTypes types;
  private final JobResponses responses;
  private final JobWatcher watcher;
  private final HeldRequests held;
  private final JobCancellation cancellation;

  public JobRoutes(JobIntake intake, JobReader reader, KnownTypes types, JobResponses responses, JobWatcher watcher,
      HeldRequests held, JobCancellation cancellation) {
    this.intake = intake;
    this.reader = reader;
    this.types = types;
    this.responses = responses;
    this.watcher = watcher;
    this.held = held;
    this.cancellation = cancellation;
  }

  public void mount(Router router) {
    router.post("/v1/jobs").handler(this::requireJson).handler(this::submit);
    router.get("/v1/jobs/:id").handler(this::get);
    router.post("/v1/jobs/:id/cancel").handler(this::cancel);
  }

  private void requireJson(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (!mediaType.equals("application/json") && !(mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
      ctx.fail(Problem.of(415, "unsupported-media-type", "Unsupported media type",
          "Send the body as application/json."));
      return;
    }
    ctx.next();
  }

  private void submit(RoutingContext ctx) {
    String tenant = Authenticator.tenant(ctx);
    SubmitRequest.Parsed parsed = SubmitRequest.parse(parseBody(ctx.body().buffer()));
    if (!parsed.valid()) {
      ctx.fail(invalid(parsed.problems()));
      return;
    }
    SubmitRequest request = parsed.request();
    types.rules(request.type())
        .compose(rules -> {
          if (rules.isEmpty()) {
            return Future.failedFuture(Problem.of(422, "unknown-type", "Unknown job type",
                "No worker has declared the type '" + request.type() + "'."));
          }
          List<String> problems = rules.get().check(request.payload());
          if (!problems.isEmpty()) {
            return Future.failedFuture(Problem.of(422, "invalid-payload", "Payload rejected",
                String.join("; ", problems)));
          }
          Job job = newJob(tenant, request);
          return intake.accept(List.of(job)).map(job);
        })
        .compose(job -> waitFor(ctx, tenant, job.id(), Waits.seconds(ctx, false), job, j -> j.status().terminal(),
            false))
        .onSuccess(job -> responses.write(ctx, job.status().terminal() ? 200 : 202, job))
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    UUID id = JobIds.parse(ctx.pathParam("id")).orElse(null);
    if (id == null) {
      ctx.fail(Problem.notFound());
      return;
    }
    String tenant = Authenticator.tenant(ctx);
    OptionalInt wait = Waits.seconds(ctx, true);
    String ifNoneMatch = ctx.request().getHeader("If-None-Match");
    Predicate<Job> done = ifNoneMatch == null
        ? job -> job.status().terminal()
        : job -> !JobResponses.matches(ifNoneMatch, job);
    reader.find(tenant, id)
        .compose(found -> found.isEmpty()
            ? Future.failedFuture(Problem.notFound())
            : waitFor(ctx, tenant, id, wait, found.get(), done, true))
        .onSuccess(job -> {
          if (JobResponses.matches(ifNoneMatch, job)) {
            responses.notModified(ctx, job);
          } else {
            responses.write(ctx, 200, job);
          }
        })
        .onFailure(ctx::fail);
  }

  private void cancel(RoutingContext ctx) {
    UUID id = JobIds.parse(ctx.pathParam("id")).orElseThrow(Problem::notFound);
    cancellation.cancel(Authenticator.tenant(ctx), id)
        .onSuccess(result -> responses.write(ctx, result.done() ? 200 : 202, result.job()))
        .onFailure(ctx::fail);
  }

  /**
   * With a wait, holds the answer (no thread, bounded) until {@code done} holds or the wait ends. When no place
   * to wait is free: a 429 if {@code refuseWhenFull}, else the answer at once (a job just accepted stays accepted).
   */
  private Future<Job> waitFor(RoutingContext ctx, String tenant, UUID id, OptionalInt seconds, Job current,
      Predicate<Job> done, boolean refuseWhenFull) {
    if (seconds.isEmpty()) {
      return Future.succeededFuture(current);
    }
    if (done.test(current)) {
      ctx.response().putHeader("Preference-Applied", "wait=" + seconds.getAsInt());
      return Future.succeededFuture(current);
    }
    try {
      held.hold(tenant);
    } catch (Problem full) {
      return refuseWhenFull ? Future.failedFuture(full) : Future.succeededFuture(current);
    }
    ctx.response().putHeader("Preference-Applied", "wait=" + seconds.getAsInt());
    long deadline = System.currentTimeMillis() + seconds.getAsInt() * 1000L;
    return watcher.until(tenant, id, done, deadline)
        .map(found -> found.orElse(current))
        .onComplete(ar -> held.release(tenant));
  }

  private static JsonNode parseBody(Buffer body) {
    if (body == null || body.length() == 0) {
      throw Problem.badRequest("The body is empty; send a JSON object.");
    }
    try {
      return Json.parse(body.getBytes());
    } catch (IOException e) {
      throw Problem.badRequest("The body is not valid UTF-8 JSON (or nests deeper than " + Json.MAX_DEPTH
          + " levels).");
    }
  }

  private static Problem invalid(List<String> problems) {
    ObjectNode extensions = Json.object();
    ArrayNode errors = extensions.putArray("errors");
    problems.forEach(p -> errors.addObject().put("detail", p));
    return Problem.badRequest(String.join("; ", problems)).withExtensions(extensions);
  }

  private static Job newJob(String tenant, SubmitRequest request) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Job(JobIds.next(), tenant, request.type(), JobStatus.QUEUED, request.priority(), request.payload(),
        null, 0, request.maxAttempts(), request.timeoutMs(), request.runAt(), request.callbackUrl(), now, null, now,
        null, null, null, false, 1);
  }
}
