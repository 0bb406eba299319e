package dev.conveyor.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.jobs.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.Locale;

/** JSON request bodies as API.md wants them: a JSON media type (else 415), valid UTF-8 JSON (else 400). */
public final class JsonBodies {
  private JsonBodies() {
  }

  /** A route handler that lets only JSON bodies through. */
  public static void requireJson(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json") && !(mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
      ctx.fail(Problem.of(415, "unsupported-media-type", "Unsupported media type",
          "Send the body as application/json."));
      return;
    }
    ctx.next();
  }

  /** The request's body, decoded, as JSON; a 400 problem if there is none or it is not JSON. */
  public static JsonNode parse(RoutingContext ctx) {
    Buffer body = ContentDecoding.body(ctx);
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
}
