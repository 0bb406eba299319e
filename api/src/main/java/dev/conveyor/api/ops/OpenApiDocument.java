package dev.conveyor.api.ops;

import dev.conveyor.api.http.Routes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of the HTTP API ({@code openapi.json} beside this class,
 * kept by hand beside API.md and checked against the routes by a test). Read from the jar once, off the event loop.
 */
public final class OpenApiDocument implements Routes {
  /** Beside this class, so that no other jar's openapi.json can shadow it. */
  private static final String RESOURCE = "openapi.json";
  private final Buffer document;

  private OpenApiDocument(Buffer document) {
    this.document = document;
  }

  public static Future<OpenApiDocument> load(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(RESOURCE + " is missing from the classpath");
        }
        return new OpenApiDocument(Buffer.buffer(in.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  @Override
  public void mount(Router router) {
    router.get("/openapi.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "max-age=300")
        .end(document));
  }
}
