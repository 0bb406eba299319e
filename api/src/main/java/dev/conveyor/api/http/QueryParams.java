package dev.conveyor.api.http;

import io.vertx.core.MultiMap;
import java.util.List;

/** Reading query parameters the way every list of the API does: each at most once, limits in range (else 400). */
public final class QueryParams {
  private QueryParams() {
  }

  public static String single(MultiMap query, String name) {
    List<String> values = query.getAll(name);
    if (values.size() > 1) {
      throw Problem.badRequest(name + " may be given once.");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  public static int limit(String raw, int fallback, int max) {
    if (raw == null) {
      return fallback;
    }
    if (!raw.matches("\\d{1,3}") || Integer.parseInt(raw) < 1 || Integer.parseInt(raw) > max) {
      throw Problem.badRequest("limit must be an integer from 1 to " + max + ".");
    }
    return Integer.parseInt(raw);
  }
}
