package dev.conveyor.api;

import dev.conveyor.api.http.ContentDecoding;
import dev.conveyor.api.http.Problems;
import dev.conveyor.api.http.Routes;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One event-loop HTTP server instance; several share the port. It only wires: open routes (health, metrics), then
 * for {@code /v1} the API key, the rate limit, the body limit and the feature routes, and problem answers for all.
 */
public final class HttpVerticle extends VerticleBase {
  /** In-flight requests get this long to finish; idle keep-alive connections are closed at its end. */
  private static final long SHUTDOWN_GRACE_SECONDS = 10;
  private static final int COMPRESS_ABOVE_BYTES = 1024;
  /** JSON shrinks nearly as much at a low level, for a fraction of the CPU of the default 6. */
  private static final int COMPRESSION_LEVEL = 2;

  private final int port;
  private final long maxBodyBytes;
  private final List<Routes> open;
  private final List<Handler<RoutingContext>> v1Guards;
  private final List<Routes> v1;
  private HttpServer server;

  public HttpVerticle(int port, long maxBodyBytes, List<Routes> open, List<Handler<RoutingContext>> v1Guards,
      List<Routes> v1) {
    this.port = port;
    this.maxBodyBytes = maxBodyBytes;
    this.open = open;
    this.v1Guards = v1Guards;
    this.v1 = v1;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    open.forEach(routes -> routes.mount(router));
    // The guards are asynchronous: the request waits paused until the body handler after them reads it (bounded),
    // so a caller without a key or over its rate never gets its body read.
    router.route("/v1/*").handler(ctx -> {
      ctx.request().pause();
      // Answers differ by Accept-Encoding once compressed, which caches between client and API must know.
      ctx.response().putHeader("Vary", "Accept-Encoding");
      ctx.next();
    });
    v1Guards.forEach(guard -> router.route("/v1/*").handler(guard));
    router.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
    router.route("/v1/*").handler(new ContentDecoding(maxBodyBytes));
    v1.forEach(routes -> routes.mount(router));
    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, Problems::handle);
    router.errorHandler(405, Problems::handle);
    server = vertx.createHttpServer(new HttpServerOptions()
        .setPort(port)
        .setTcpNoDelay(true)
        // gzip (or deflate) for answers over 1 KiB when the client accepts it; small status answers are not worth it.
        .setCompressionSupported(true)
        .setCompressionLevel(COMPRESSION_LEVEL)
        .setCompressionContentSizeThreshold(COMPRESS_ABOVE_BYTES)
        // No cleartext HTTP/2 upgrade: on an upgraded connection Vert.x 5.0.8 labels answers gzip but sends them plain
        // once one request there asked for none; HTTP/1.1 keep-alive serves this API as well.
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(120)
        // GET /v1/jobs?ids= with 100 ids, its commas percent-encoded and a fields list, is longer than the default 4 KiB.
        .setMaxInitialLineLength(8192));
    return server.requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }
}
