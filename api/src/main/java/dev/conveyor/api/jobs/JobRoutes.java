package dev.conveyor.api.jobs;

import dev.conveyor.api.http.Routes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.http.JsonBodies;
import dev.conveyor.api.http.Problem;
import dev.conveyor.api.limits.QueueQuota;
import dev.conveyor.api.polling.HeldRequests;
import dev.conveyor.api.polling.JobWatcher;
import dev.conveyor.api.polling.Waits;
import dev.conveyor.callback.CallbackTargets;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.Json;
import dev.conveyor.trace.TraceContext;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * {@code POST /v1/jobs}, {@code POST /v1/jobs/batch}, {@code GET /v1/jobs/{id}}, {@code POST /v1/jobs/{id}/cancel},
 * {@code POST /v1/jobs/{id}/retry}.
 */
public final class JobRoutes implements Routes {
  public static final int MAX_BATCH = 1000;

  private final JobIntake intake;
  private final JobReader reader;
  private final KnownTypes types;
  private final JobResponses responses;
  private final JobWatcher watcher;
  private final HeldRequests held;
  private final JobCancellation cancellation;
  private final QueueQuota quota;
  private final JobRetry retries;
  private final CallbackTargets callbacks;

  public JobRoutes(JobIntake intake, JobReader reader, KnownTypes types, JobResponses responses, JobWatcher watcher,
      HeldRequests held, JobCancellation cancellation, QueueQuota quota, JobRetry retries, CallbackTargets callbacks) {
    this.intake = intake;
    this.reader = reader;
    this.types = types;
    this.responses = responses;
    this.watcher = watcher;
    this.held = held;
    this.cancellation = cancellation;
    this.quota = quota;
    this.retries = retries;
    this.callbacks = callbacks;
  }

  @Override
  public void mount(Router router) {
    router.post("/v1/jobs").handler(JsonBodies::requireJson).handler(this::submit);
    router.post("/v1/jobs/batch").handler(JsonBodies::requireJson).handler(this::submitBatch);
    router.get("/v1/jobs/:id").handler(this::get);
    router.post("/v1/jobs/:id/cancel").handler(this::cancel);
    router.post("/v1/jobs/:id/retry").handler(this::retry);
  }

  private void submit(RoutingContext ctx) {
    JobFields.of(ctx);
    String tenant = Authenticator.tenant(ctx);
    JsonNode body = JsonBodies.parse(ctx);
    JobIntake.IdempotencyKey key = idempotencyKey(ctx, "jobs", body);
    TraceContext trace = TraceContext.continueOrStart(ctx.request().getHeader(TraceContext.HEADER_NAME));
    SubmitRequest.Parsed parsed = SubmitRequest.parse(body);
    if (!parsed.valid()) {
      ctx.fail(invalid(parsed.problems()));
      return;
    }
    SubmitRequest request = parsed.request();
    Optional<String> refused = callbacks.refusal(request.callbackUrl());
    if (refused.isPresent()) {
      ctx.fail(callbackRefused(refused.get()));
      return;
    }
    types.check(request)
        .compose(verdict -> {
          if (verdict.unknownType()) {
            return Future.failedFuture(Problem.of(422, "unknown-type", "Unknown job type",
                "No worker has declared the type '" + request.type() + "'."));
          }
          if (!verdict.accepted()) {
            return Future.failedFuture(Problem.of(422, "invalid-payload", "Payload rejected",
                String.join("; ", verdict.problems())));
          }
          return quota.admit(tenant, 1)
              .compose(fresh -> intake.accept(tenant, List.of(request.toJob(tenant, null, trace)), key, fresh));
        })
        .compose(accepted -> {
          Job job = accepted.jobs().get(0);
          if (accepted.replayed()) {
            ctx.response().putHeader("Idempotent-Replayed", "true");
          }
          return waitFor(ctx, tenant, job.id(), Waits.seconds(ctx, false), job, j -> j.status().terminal(), false);
        })
        .onSuccess(job -> responses.write(ctx, job.status().terminal() ? 200 : 202, job))
        .onFailure(ctx::fail);
  }

  /** All or nothing: every bad item is named (400 if any is malformed, else 422) and nothing is created. */
  private void submitBatch(RoutingContext ctx) {
    JobFields.of(ctx);
    String tenant = Authenticator.tenant(ctx);
    JsonNode body = JsonBodies.parse(ctx);
    JobIntake.IdempotencyKey key = idempotencyKey(ctx, "jobs/batch", body);
    TraceContext trace = TraceContext.continueOrStart(ctx.request().getHeader(TraceContext.HEADER_NAME));
    JsonNode items = body.isObject() ? body.get("jobs") : null;
    if (items == null || !items.isArray() || items.size() < 1 || items.size() > MAX_BATCH) {
      ctx.fail(Problem.badRequest("The body must be an object whose \"jobs\" is an array of 1 to " + MAX_BATCH
          + " submit bodies."));
      return;
    }
    List<SubmitRequest.Parsed> parsed = new ArrayList<>(items.size());
    items.forEach(item -> parsed.add(SubmitRequest.parse(item)));
    Future.all(parsed.stream()
            .map(p -> p.valid() ? types.check(p.request()) : Future.succeededFuture((KnownTypes.Verdict) null))
            .toList())
        .compose(checked -> {
          ObjectNode errors = Json.object();
          ArrayNode errorList = errors.putArray("errors");
          boolean malformed = false;
          for (int i = 0; i < parsed.size(); i++) {
            KnownTypes.Verdict verdict = checked.resultAt(i);
            List<String> problems = new ArrayList<>(parsed.get(i).valid() ? verdict.problems()
                : parsed.get(i).problems());
            if (parsed.get(i).valid()) {
              callbacks.refusal(parsed.get(i).request().callbackUrl()).ifPresent(problems::add);
            }
            malformed |= !parsed.get(i).valid();
            if (!problems.isEmpty()) {
              errorList.addObject().put("index", i).put("detail", String.join("; ", problems));
            }
          }
          if (malformed) {
            return Future.failedFuture(Problem.badRequest(errorList.size() + " of " + items.size()
                + " jobs cannot be accepted, some malformed; nothing was created.").withExtensions(errors));
          }
          if (!errorList.isEmpty()) {
            return Future.failedFuture(Problem.of(422, "invalid-jobs", "Jobs rejected", errorList.size() + " of "
                + items.size() + " jobs cannot be accepted; nothing was created.").withExtensions(errors));
          }
          List<Job> jobs = parsed.stream().map(p -> p.request().toJob(tenant, null, trace)).toList();
          return quota.admit(tenant, jobs.size()).compose(fresh -> intake.accept(tenant, jobs, key, fresh));
        })
        .onSuccess(accepted -> {
          if (accepted.replayed()) {
            ctx.response().putHeader("Idempotent-Replayed", "true");
          }
          boolean allTerminal = accepted.jobs().stream().allMatch(j -> j.status().terminal());
          responses.writeAll(ctx, allTerminal ? 200 : 202, accepted.jobs());
        })
        .onFailure(ctx::fail);
  }

  /** A callback URL this server will not call: a name of this machine, or a loopback, link-local or private address. */
  public static Problem callbackRefused(String reason) {
    return Problem.of(422, "callback-url-refused", "Callback URL refused", reason + ".");
  }

  private void get(RoutingContext ctx) {
    JobFields.of(ctx);
    UUID id = JobIds.parse(ctx.pathParam("id")).orElseThrow(Problem::notFound);
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
    JobFields.of(ctx);
    UUID id = JobIds.parse(ctx.pathParam("id")).orElseThrow(Problem::notFound);
    cancellation.cancel(Authenticator.tenant(ctx), id)
        .onSuccess(result -> responses.write(ctx, result.done() ? 200 : 202, result.job()))
        .onFailure(ctx::fail);
  }

  /** The job queued again (202), or as it is now after a repeat of the same Idempotency-Key. */
  private void retry(RoutingContext ctx) {
    JobFields.of(ctx);
    UUID id = JobIds.parse(ctx.pathParam("id")).orElseThrow(Problem::notFound);
    JobIntake.IdempotencyKey key = idempotencyKey(ctx, "jobs/" + id + "/retry", Json.object());
    retries.retry(Authenticator.tenant(ctx), id, key)
        .onSuccess(result -> {
          if (result.replayed()) {
            ctx.response().putHeader("Idempotent-Replayed", "true");
          }
          responses.write(ctx, result.job().status().terminal() ? 200 : 202, result.job());
        })
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

  /** The request's Idempotency-Key (1..255 printable ASCII) with a hash of the route and the canonical body. */
  private static JobIntake.IdempotencyKey idempotencyKey(RoutingContext ctx, String route, JsonNode body) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key == null) {
      return null;
    }
    if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
      throw Problem.badRequest("Idempotency-Key must be 1 to 255 printable ASCII characters.");
    }
    return new JobIntake.IdempotencyKey(key, ApiKeys.hash(route + "\n" + Json.canonical(body)));
  }

  private static Problem invalid(List<String> problems) {
    ObjectNode extensions = Json.object();
    ArrayNode errors = extensions.putArray("errors");
    problems.forEach(p -> errors.addObject().put("detail", p));
    return Problem.badRequest(String.join("; ", problems)).withExtensions(extensions);
  }
}
