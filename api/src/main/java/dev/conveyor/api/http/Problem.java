package dev.conveyor.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.jobs.Json;
import java.util.Map;

/**
 * An RFC 9457 problem, thrown from any handler and written by {@link Problems}. Carries the extra
 * headers the status calls for (Retry-After, WWW-Authenticate) and optional extension members.
 */
public final class Problem extends RuntimeException {
  private final int status;
  private final String slug;
  private final String title;
  private final Map<String, String> headers;
  private final ObjectNode extensions;

  private Problem(int status, String slug, String title, String detail, Map<String, String> headers,
      ObjectNode extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.headers = headers;
    this.extensions = extensions;
  }

  public static Problem of(int status, String slug, String title, String detail) {
    return new Problem(status, slug, title, detail, Map.of(), null);
  }

  public Problem withHeader(String name, String value) {
    Map<String, String> copy = new java.util.LinkedHashMap<>(headers);
    copy.put(name, value);
    return new Problem(status, slug, title, getMessage(), copy, extensions);
  }

  public Problem withExtensions(ObjectNode members) {
    return new Problem(status, slug, title, getMessage(), headers, members);
  }

  public static Problem badRequest(String detail) {
    return of(400, "invalid-request", "Invalid request", detail);
  }

  public static Problem notFound() {
    return of(404, "not-found", "Not found", "No such resource.");
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public ObjectNode toJson() {
    ObjectNode body = Json.object();
    body.put("type", "/problems/" + slug);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", getMessage());
    if (extensions != null) {
      body.setAll(extensions);
    }
    return body;
  }
}
