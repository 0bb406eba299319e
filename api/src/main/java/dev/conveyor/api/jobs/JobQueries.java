package dev.conveyor.api.jobs;

import dev.conveyor.api.http.Routes;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.http.Problem;
import dev.conveyor.api.http.QueryParams;
import dev.conveyor.api.polling.PollHint;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobJson;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobTypeStore;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/jobs}: keyset pages, newest first, or with {@code ids=} up to {@link #MAX_IDS} jobs by id; and
 * {@code GET /v1/job-types}.
 */
public final class JobQueries implements Routes {
  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_LIMIT = 200;
  static final int MAX_IDS = 100;
  /** The list's parameters, none of which goes with {@code ids}. */
  private static final List<String> FILTERS = List.of("status", "type", "schedule", "limit", "cursor");
  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final long DURATIONS_TTL_MS = 5_000;
  /** A page holds fewer jobs than asked when their payloads and results pass this size (at least one job, though). */
  private static final long MAX_PAGE_BYTES = 4L << 20;

  private final JobStore jobs;
  private final JobTypeStore types;
  private final JobResponses responses;
  private final PollHint hint;
  private volatile Future<Map<String, long[]>> durations;
  private volatile long durationsAt;

  public JobQueries(JobStore jobs, JobTypeStore types, JobResponses responses, PollHint hint) {
    this.jobs = jobs;
    this.types = types;
    this.responses = responses;
    this.hint = hint;
  }

  @Override
  public void mount(Router router) {
    router.get("/v1/jobs").handler(this::list);
    router.get("/v1/job-types").handler(this::jobTypes);
  }

  private void list(RoutingContext ctx) {
    JobFields fields = JobFields.of(ctx);
    MultiMap query = ctx.queryParams();
    String ids = QueryParams.single(query, "ids");
    if (ids != null) {
      many(ctx, ids);
      return;
    }
    List<JobStatus> statuses = statuses(QueryParams.single(query, "status"));
    String type = QueryParams.single(query, "type");
    if (type != null && !TYPE.matcher(type).matches()) {
      throw Problem.badRequest("type must match [a-z0-9][a-z0-9._-]{0,63}.");
    }
    String schedule = QueryParams.single(query, "schedule");
    if (schedule != null && !TYPE.matcher(schedule).matches()) {
      throw Problem.badRequest("schedule must match [a-z0-9][a-z0-9._-]{0,63}.");
    }
    int limit = QueryParams.limit(QueryParams.single(query, "limit"), DEFAULT_LIMIT, MAX_LIMIT);
    UUID before = cursor(QueryParams.single(query, "cursor"));
    jobs.page(Authenticator.tenant(ctx), statuses, type, schedule, before, limit, MAX_PAGE_BYTES).onSuccess(page -> {
      Instant now = Instant.now();
      ObjectNode body = Json.object();
      ArrayNode items = body.putArray("items");
      page.jobs().forEach(job -> items.add(fields.select(JobJson.representation(job, hint.forJob(job, now)))));
      if (page.more()) {
        body.put("nextCursor", encode(page.jobs().get(page.jobs().size() - 1).id()));
      } else {
        body.putNull("nextCursor");
      }
      ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
          .putHeader("Cache-Control", "no-cache").end(Json.write(body));
    }).onFailure(ctx::fail);
  }

  /**
   * The jobs named, in the order asked (an id given twice is answered once); ids malformed, unknown or of another
   * tenant are all simply missing. Two queries whatever the number of ids, both by primary key: the sizes first, so
   * that jobs whose payloads and results pass what one answer carries are refused (422) before they are loaded.
   */
  private void many(RoutingContext ctx, String raw) {
    for (String filter : FILTERS) {
      if (ctx.queryParams().contains(filter)) {
        throw Problem.badRequest("ids cannot be combined with " + filter + ".");
      }
    }
    String[] parts = raw.split(",", -1);
    Set<String> asked = new LinkedHashSet<>();
    for (String part : parts) {
      asked.add(part.trim());
    }
    if (asked.contains("") || parts.length > MAX_IDS) {
      throw Problem.badRequest("ids must be a comma list of 1 to " + MAX_IDS + " job ids.");
    }
    String tenant = Authenticator.tenant(ctx);
    List<UUID> wellFormed = asked.stream().flatMap(id -> JobIds.parse(id).stream()).toList();
    jobs.storedBytes(tenant, wellFormed)
        .compose(bytes -> bytes <= MAX_PAGE_BYTES ? jobs.findAll(tenant, wellFormed)
            : Future.failedFuture(Problem.of(422, "answer-too-large", "Answer too large", "These jobs hold "
                + bytes + " bytes of payloads and results, more than the " + MAX_PAGE_BYTES + " one answer carries; "
                + "ask for fewer ids at a time.")))
        .onSuccess(found -> {
          Set<String> foundIds = new java.util.HashSet<>();
          found.forEach(job -> foundIds.add(job.id().toString()));
          responses.writeFound(ctx, found, asked.stream().filter(id -> !foundIds.contains(id)).toList());
        })
        .onFailure(ctx::fail);
  }

  private void jobTypes(RoutingContext ctx) {
    Future.all(types.names(), jobs.activeCounts(Authenticator.tenant(ctx)), recentDurations()).onSuccess(all -> {
      List<String> names = all.resultAt(0);
      Map<String, int[]> counts = all.resultAt(1);
      Map<String, long[]> durationsByType = all.resultAt(2);
      ObjectNode body = Json.object();
      ArrayNode items = body.putArray("items");
      for (String name : names) {
        int[] count = counts.getOrDefault(name, new int[2]);
        ObjectNode item = items.addObject().put("type", name).put("queued", count[0]).put("running", count[1]);
        ObjectNode duration = item.putObject("durationMs");
        long[] known = durationsByType.get(name);
        if (known == null) {
          duration.putNull("p50").putNull("p95");
        } else {
          duration.put("p50", known[0]).put("p95", known[1]);
        }
      }
      ctx.response().putHeader("Content-Type", "application/json; charset=utf-8").end(Json.write(body));
    }).onFailure(ctx::fail);
  }

  /** Percentiles over all tenants change slowly; one query every few seconds serves every caller. */
  private Future<Map<String, long[]>> recentDurations() {
    Future<Map<String, long[]>> cached = durations;
    if (cached == null || System.currentTimeMillis() - durationsAt > DURATIONS_TTL_MS || cached.failed()) {
      durationsAt = System.currentTimeMillis();
      cached = jobs.recentDurations();
      durations = cached;
    }
    return cached;
  }

  private static List<JobStatus> statuses(String raw) {
    List<JobStatus> statuses = new ArrayList<>();
    if (raw == null) {
      return statuses;
    }
    for (String part : raw.split(",", -1)) {
      try {
        statuses.add(JobStatus.fromWire(part.trim().toLowerCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw Problem.badRequest("status must be a comma list of queued, running, succeeded, failed, cancelled.");
      }
    }
    return statuses;
  }

  /** Cursors are opaque to clients: the id of the last job of the previous page, base64url. */
  private static String encode(UUID id) {
    ByteBuffer bytes = ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  private static UUID cursor(String raw) {
    if (raw == null) {
      return null;
    }
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(raw);
      if (bytes.length != 16) {
        throw new IllegalArgumentException();
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      return new UUID(buffer.getLong(), buffer.getLong());
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest("cursor is not one this server gave out.");
    }
  }
}
