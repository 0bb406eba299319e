package dev.conveyor.api.schedules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.http.JsonBodies;
import dev.conveyor.api.http.Problem;
import dev.conveyor.api.http.QueryParams;
import dev.conveyor.api.http.Routes;
import dev.conveyor.api.jobs.JobRoutes;
import dev.conveyor.api.jobs.KnownTypes;
import dev.conveyor.api.jobs.SubmitRequest;
import dev.conveyor.callback.CallbackTargets;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Times;
import dev.conveyor.schedule.CronSchedule;
import dev.conveyor.store.ScheduleStore;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code /v1/schedules}: a tenant's recurring jobs (API.md, "Schedules"). The {@link Scheduler} fires them. */
public final class ScheduleRoutes implements Routes {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_LIMIT = 200;

  private final ScheduleStore store;
  private final KnownTypes types;
  private final CallbackTargets callbacks;

  public ScheduleRoutes(ScheduleStore store, KnownTypes types, CallbackTargets callbacks) {
    this.store = store;
    this.types = types;
    this.callbacks = callbacks;
  }

  @Override
  public void mount(Router router) {
    router.put("/v1/schedules/:name").handler(JsonBodies::requireJson).handler(this::put);
    router.get("/v1/schedules").handler(this::list);
    router.get("/v1/schedules/:name").handler(this::get);
    router.delete("/v1/schedules/:name").handler(this::delete);
  }

  private static String name(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!NAME.matcher(name).matches()) {
      throw Problem.badRequest("A schedule's name must match [a-z0-9][a-z0-9._-]{0,63}.");
    }
    return name;
  }

  /** Creates (201) or replaces (200) a schedule; its ticks count from now. */
  private void put(RoutingContext ctx) {
    String tenant = Authenticator.tenant(ctx);
    String name = name(ctx);
    JsonNode body = JsonBodies.parse(ctx);
    if (!body.isObject()) {
      throw Problem.badRequest("The body must be a JSON object with cron, timezone, job and paused.");
    }
    List<String> problems = new ArrayList<>();
    JsonNode cronNode = body.get("cron");
    JsonNode zoneNode = body.get("timezone");
    JsonNode pausedNode = body.get("paused");
    JsonNode jobNode = body.get("job");
    if (zoneNode != null && !zoneNode.isNull() && !zoneNode.isTextual()) {
      problems.add("timezone must be a string, an IANA time zone name");
    }
    if (pausedNode != null && !pausedNode.isNull() && !pausedNode.isBoolean()) {
      problems.add("paused must be a boolean");
    }
    CronSchedule cron = null;
    if (cronNode == null || !cronNode.isTextual()) {
      problems.add("cron is required: a string of 5 fields (minute hour day month weekday) or 6 (seconds first)");
    } else if (problems.isEmpty()) {
      try {
        cron = CronSchedule.parse(cronNode.textValue(), zoneNode == null || zoneNode.isNull() ? "UTC"
            : zoneNode.textValue());
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    SubmitRequest job = null;
    if (jobNode == null || !jobNode.isObject()) {
      problems.add("job is required: a submit body");
    } else if (jobNode.has("runAt")) {
      problems.add("job must not have runAt: the schedule says when it runs");
    } else {
      SubmitRequest.Parsed parsed = SubmitRequest.parse(jobNode);
      parsed.problems().forEach(problem -> problems.add("job: " + problem));
      job = parsed.request();
    }
    if (!problems.isEmpty()) {
      ctx.fail(Problem.badRequest(String.join("; ", problems)));
      return;
    }
    boolean paused = pausedNode != null && pausedNode.asBoolean(false);
    CronSchedule schedule = cron;
    Instant next = paused ? null : schedule.next(Instant.now()).orElse(null);
    types.check(job)
        .compose(verdict -> {
          if (verdict.unknownType()) {
            return Future.failedFuture(Problem.of(422, "unknown-type", "Unknown job type",
                "job: " + String.join("; ", verdict.problems())));
          }
          if (!verdict.accepted()) {
            return Future.failedFuture(Problem.of(422, "invalid-payload", "Payload rejected",
                "job: " + String.join("; ", verdict.problems())));
          }
          Optional<String> refused = callbacks.refusal(jobNode.path("callbackUrl").textValue());
          if (refused.isPresent()) {
            return Future.failedFuture(JobRoutes.callbackRefused("job: " + refused.get()));
          }
          return store.save(tenant, name, schedule.expression(), schedule.zone().getId(), jobNode, paused, next);
        })
        .onSuccess(saved -> write(ctx, saved.created() ? 201 : 200, saved.schedule()))
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    store.find(Authenticator.tenant(ctx), name(ctx))
        .onSuccess(found -> {
          if (found.isEmpty()) {
            ctx.fail(Problem.notFound());
          } else {
            write(ctx, 200, found.get());
          }
        })
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    int limit = QueryParams.limit(QueryParams.single(ctx.queryParams(), "limit"), DEFAULT_LIMIT, MAX_LIMIT);
    String after = cursor(QueryParams.single(ctx.queryParams(), "cursor"));
    store.page(Authenticator.tenant(ctx), after, limit).onSuccess(page -> {
      ObjectNode body = Json.object();
      ArrayNode items = body.putArray("items");
      page.schedules().forEach(schedule -> items.add(representation(schedule)));
      if (page.more()) {
        String last = page.schedules().get(page.schedules().size() - 1).name();
        body.put("nextCursor", Base64.getUrlEncoder().withoutPadding()
            .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
      } else {
        body.putNull("nextCursor");
      }
      ctx.response().putHeader("Content-Type", "application/json; charset=utf-8").end(Json.write(body));
    }).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    store.delete(Authenticator.tenant(ctx), name(ctx))
        .onSuccess(deleted -> {
          if (deleted) {
            ctx.response().setStatusCode(204).end();
          } else {
            ctx.fail(Problem.notFound());
          }
        })
        .onFailure(ctx::fail);
  }

  private static String cursor(String raw) {
    if (raw == null) {
      return null;
    }
    try {
      String name = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8);
      if (NAME.matcher(name).matches()) {
        return name;
      }
    } catch (IllegalArgumentException notBase64) {
      // refused below
    }
    throw Problem.badRequest("cursor is not one this server gave out.");
  }

  private static void write(RoutingContext ctx, int status, ScheduleStore.Schedule schedule) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
        .end(Json.write(representation(schedule)));
  }

  static ObjectNode representation(ScheduleStore.Schedule schedule) {
    ObjectNode node = Json.object();
    node.put("name", schedule.name());
    node.put("cron", schedule.cron());
    node.put("timezone", schedule.timezone());
    node.set("job", schedule.job());
    node.put("paused", schedule.paused());
    node.put("nextRunAt", Times.format(schedule.nextRunAt()));
    node.put("lastRunAt", Times.format(schedule.lastRunAt()));
    node.put("lastJobId", schedule.lastJobId() == null ? null : schedule.lastJobId().toString());
    node.put("createdAt", Times.format(schedule.createdAt()));
    node.put("updatedAt", Times.format(schedule.updatedAt()));
    return node;
  }
}
