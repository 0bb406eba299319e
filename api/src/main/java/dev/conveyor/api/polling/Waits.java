package dev.conveyor.api.polling;

import dev.conveyor.api.http.Problem;
import io.vertx.ext.web.RoutingContext;
import java.util.OptionalInt;

/** Reads how long a client is willing to wait: {@code ?wait=N} (1..30, else 400) or RFC 7240 {@code Prefer: wait=N}. */
public final class Waits {
  public static final int MAX_SECONDS = 30;

  private Waits() {
  }

  public static OptionalInt seconds(RoutingContext ctx, boolean queryAllowed) {
    String query = queryAllowed ? ctx.queryParams().get("wait") : null;
    if (query != null) {
      if (!query.matches("\\d{1,2}") || Integer.parseInt(query) < 1 || Integer.parseInt(query) > MAX_SECONDS) {
        throw Problem.badRequest("wait must be an integer number of seconds from 1 to " + MAX_SECONDS + ".");
      }
      return OptionalInt.of(Integer.parseInt(query));
    }
    return prefer(ctx.request().headers().getAll("Prefer"));
  }

  /** The wait preference, capped at 30 s; an unreadable one is ignored, as RFC 7240 asks. */
  static OptionalInt prefer(Iterable<String> headers) {
    for (String header : headers) {
      for (String token : header.split("[,;]")) {
        String t = token.trim();
        if (t.regionMatches(true, 0, "wait=", 0, 5) && t.substring(5).trim().matches("\\d{1,9}")) {
          int seconds = Integer.parseInt(t.substring(5).trim());
          return seconds == 0 ? OptionalInt.empty() : OptionalInt.of(Math.min(seconds, MAX_SECONDS));
        }
      }
    }
    return OptionalInt.empty();
  }
}
