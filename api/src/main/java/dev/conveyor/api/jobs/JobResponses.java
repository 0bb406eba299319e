package dev.conveyor.api.jobs;

import dev.conveyor.api.polling.PollHint;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobJson;
import dev.conveyor.jobs.Json;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/** Writes a job answer: the representation with its ETag and, while not terminal, the poll hint headers. */
public final class JobResponses {
  private final PollHint hint;

  public JobResponses(PollHint hint) {
    this.hint = hint;
  }

  public static String etag(Job job) {
    return "\"" + job.id().toString().substring(24) + "-" + job.version() + "\"";
  }

  public void write(RoutingContext ctx, int status, Job job) {
    Long next = hint.forJob(job, Instant.now());
    HttpServerResponse response = headers(ctx, job, next);
    if (status == 202) {
      response.putHeader("Location", "/v1/jobs/" + job.id());
    }
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(Json.write(JobFields.of(ctx).select(JobJson.representation(job, next))));
  }

  /** A list of jobs as {@code {"items": [...]}}, with the soonest poll hint among those not terminal. */
  public void writeAll(RoutingContext ctx, int status, List<Job> jobs) {
    writeItems(ctx, status, jobs, Json.object());
  }

  /**
   * {@code GET /v1/jobs?ids=}: the jobs found, then the ids asked for that name none of the caller's jobs, with the
   * soonest poll hint among those not terminal.
   */
  public void writeFound(RoutingContext ctx, List<Job> jobs, List<String> missing) {
    ObjectNode body = Json.object();
    body.putArray("items");
    missing.forEach(body.putArray("missing")::add);
    writeItems(ctx, 200, jobs, body);
  }

  private void writeItems(RoutingContext ctx, int status, List<Job> jobs, ObjectNode body) {
    Instant now = Instant.now();
    JobFields fields = JobFields.of(ctx);
    ArrayNode items = body.withArray("items");
    Long soonest = null;
    for (Job job : jobs) {
      Long next = hint.forJob(job, now);
      items.add(fields.select(JobJson.representation(job, next)));
      if (next != null && (soonest == null || next < soonest)) {
        soonest = next;
      }
    }
    HttpServerResponse response = ctx.response();
    if (soonest != null) {
      response.putHeader("Cache-Control", "no-cache")
          .putHeader("Retry-After", Long.toString(PollHint.retryAfterSeconds(soonest)))
          .putHeader("Poll-After-Ms", Long.toString(soonest));
    }
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(Json.write(body));
  }

  public void notModified(RoutingContext ctx, Job job) {
    headers(ctx, job, hint.forJob(job, Instant.now())).setStatusCode(304).end();
  }

  private static HttpServerResponse headers(RoutingContext ctx, Job job, Long next) {
    HttpServerResponse response = ctx.response().putHeader("ETag", etag(job));
    if (next != null) {
      response.putHeader("Cache-Control", "no-cache")
          .putHeader("Retry-After", Long.toString(PollHint.retryAfterSeconds(next)))
          .putHeader("Poll-After-Ms", Long.toString(next));
    }
    return response;
  }

  /** RFC 9110 If-None-Match: a list of entity tags or "*"; weak comparison, as the RFC prescribes for GET. */
  public static boolean matches(String ifNoneMatch, Job job) {
    if (ifNoneMatch == null) {
      return false;
    }
    String current = etag(job);
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.equals("*") || t.equals(current)) {
        return true;
      }
    }
    return false;
  }
}
