package dev.conveyor.api;

import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.http.Problems;
import dev.conveyor.api.jobs.JobQueries;
import dev.conveyor.api.limits.RateLimitHandler;
import dev.conveyor.api.jobs.JobRoutes;
import dev.conveyor.api.ops.Health;
import dev.conveyor.api.polling.EventStream;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeUnit;

/** One event-loop HTTP server instance; several share the port. It only wires routes to their handlers. */
public final class HttpVerticle extends VerticleBase {
  /** In-flight requests get this long to finish; idle keep-alive connections are closed at its end. */
  private static final long SHUTDOWN_GRACE_SECONDS = 10;
  private final int port;
  private final long maxBodyBytes;
  private final Authenticator authenticator;
  private final RateLimitHandler rateLimits;
  private final JobRoutes jobs;
  private final JobQueries queries;
  private final EventStream events;
  private final Health health;
  private HttpServer server;

  public HttpVerticle(int port, long maxBodyBytes, Authenticator authenticator, RateLimitHandler rateLimits,
      JobRoutes jobs, JobQueries queries, EventStream events, Health health) {
    this.port = port;
    this.maxBodyBytes = maxBodyBytes;
    this.authenticator = authenticator;
    this.rateLimits = rateLimits;
    this.jobs = jobs;
    this.queries = queries;
    this.events = events;
    this.health = health;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    health.mount(router);
    // The body is read (bounded) before the asynchronous key lookup, which would otherwise miss its first bytes.
    router.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
    router.route("/v1/*").handler(authenticator);
    router.route("/v1/*").handler(rateLimits);
    jobs.mount(router);
    queries.mount(router);
    events.mount(router);
    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, Problems::handle);
    router.errorHandler(405, Problems::handle);
    server = vertx.createHttpServer(new HttpServerOptions()
        .setPort(port)
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setIdleTimeout(120));
    return server.requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }
}
