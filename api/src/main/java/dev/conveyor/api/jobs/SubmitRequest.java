package dev.conveyor.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Priority;
import dev.conveyor.jobs.Times;
import java.net.URI;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.trace.TraceContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A validated submit body. {@link #parse} checks the shape and ranges of API.md; types are checked elsewhere. */
public record SubmitRequest(
    String type, JsonNode payload, Priority priority, int maxAttempts, Long timeoutMs, Instant runAt,
    String callbackUrl) {

  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final int MAX_URL_LENGTH = 2048;

  /** The outcome of parsing: a request, or every rule the body breaks. */
  public record Parsed(SubmitRequest request, List<String> problems) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  /**
   * A new queued job of this request; {@code schedule} names the schedule that makes it, or is null, and
   * {@code trace} is the trace context it is made in.
   */
  public Job toJob(String tenant, String schedule, TraceContext trace) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Job(JobIds.next(), tenant, type, JobStatus.QUEUED, priority, payload, null, 0, maxAttempts, timeoutMs,
        runAt, callbackUrl, now, null, now, null, null, null, false, 1, schedule, null, trace.header());
  }

  public static Parsed parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      return new Parsed(null, List.of("the body must be a JSON object"));
    }
    List<String> problems = new ArrayList<>();
    String type = null;
    JsonNode typeNode = body.get("type");
    if (typeNode == null || typeNode.isNull()) {
      problems.add("type is required");
    } else if (!typeNode.isTextual()) {
      problems.add("type must be a string");
    } else if (!TYPE.matcher(typeNode.textValue()).matches()) {
      problems.add("type must match [a-z0-9][a-z0-9._-]{0,63}");
    } else {
      type = typeNode.textValue();
    }

    JsonNode payload = body.get("payload");
    if (payload == null || payload.isNull()) {
      payload = Json.object();
    } else if (containsNul(payload)) {
      problems.add("payload must not contain the character U+0000 (NUL), in a string or a member name: "
          + "it cannot be stored");
    }

    Priority priority = Priority.NORMAL;
    JsonNode priorityNode = body.get("priority");
    if (priorityNode != null && !priorityNode.isNull()) {
      priority = priorityNode.isTextual() ? Priority.parse(priorityNode.textValue()).orElse(null) : null;
      if (priority == null) {
        problems.add("priority must be one of \"high\", \"normal\", \"low\"");
      }
    }

    Long maxAttempts = integer(body, "maxAttempts", 1, 20, problems);
    Long timeoutMs = integer(body, "timeoutMs", 1000, 86_400_000, problems);

    Instant runAt = null;
    JsonNode runAtNode = body.get("runAt");
    if (runAtNode != null && !runAtNode.isNull()) {
      try {
        if (!runAtNode.isTextual()) {
          throw new DateTimeParseException("not a string", "", 0);
        }
        runAt = Times.parse(runAtNode.textValue());
      } catch (DateTimeParseException e) {
        problems.add("runAt must be an RFC 3339 time with an offset, e.g. 2026-11-22T10:15:30Z");
      }
    }

    String callbackUrl = null;
    JsonNode callbackNode = body.get("callbackUrl");
    if (callbackNode != null && !callbackNode.isNull()) {
      callbackUrl = callbackNode.isTextual() ? callbackNode.textValue() : null;
      if (!isHttpUrl(callbackUrl)) {
        problems.add("callbackUrl must be an absolute http or https URL of at most " + MAX_URL_LENGTH + " characters");
      }
    }

    if (!problems.isEmpty()) {
      return new Parsed(null, problems);
    }
    return new Parsed(new SubmitRequest(type, payload, priority, maxAttempts == null ? 3 : maxAttempts.intValue(),
        timeoutMs, runAt, callbackUrl), List.of());
  }

  private static boolean containsNul(JsonNode node) {
    if (node.isTextual()) {
      return node.textValue().indexOf('\u0000') >= 0;
    }
    var names = node.fieldNames();
    while (names.hasNext()) {
      if (names.next().indexOf('\u0000') >= 0) {
        return true;
      }
    }
    for (JsonNode child : node) {
      if (containsNul(child)) {
        return true;
      }
    }
    return false;
  }

  private static Long integer(JsonNode body, String field, long min, long max, List<String> problems) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
      problems.add(field + " must be an integer from " + min + " to " + max);
      return null;
    }
    return node.longValue();
  }

  private static boolean isHttpUrl(String text) {
    if (text == null || text.length() > MAX_URL_LENGTH) {
      return false;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      return uri.isAbsolute() && uri.getHost() != null
          && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme));
    } catch (Exception e) {
      return false;
    }
  }
}
