package dev.conveyor.api.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.http.Problem;
import dev.conveyor.api.http.QueryParams;
import dev.conveyor.jobs.JobJson;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * API.md's partial responses: {@code fields=} names the top-level fields of each job representation to send back,
 * {@code id} always among them; none named (the empty set) means all. Read at the start of each handler, before
 * anything changes, so a bad name (400) has no effect.
 */
public record JobFields(Set<String> names) {
  private static final JobFields ALL = new JobFields(Set.of());
  private static final String KEY = "conveyor.fields";

  /** The request's fields, parsed on first use and kept on the context; a Problem (400) if any name is unknown. */
  public static JobFields of(RoutingContext ctx) {
    if (ctx.request().query() == null) {
      return ALL;
    }
    JobFields fields = ctx.get(KEY);
    if (fields == null) {
      fields = parse(QueryParams.single(ctx.queryParams(), "fields"));
      ctx.put(KEY, fields);
    }
    return fields;
  }

  static JobFields parse(String raw) {
    if (raw == null) {
      return ALL;
    }
    Set<String> names = new LinkedHashSet<>();
    names.add("id");
    for (String part : raw.split(",", -1)) {
      String name = part.trim();
      if (!JobJson.FIELDS.contains(name)) {
        throw Problem.badRequest("fields must be a comma list of " + String.join(", ", JobJson.FIELDS) + "; '"
            + name + "' is not one.");
      }
      names.add(name);
    }
    return new JobFields(Set.copyOf(names));
  }

  /** The representation with only the fields asked for (the same node, trimmed). */
  public ObjectNode select(ObjectNode representation) {
    if (!names.isEmpty()) {
      representation.retain(names);
    }
    return representation;
  }
}
