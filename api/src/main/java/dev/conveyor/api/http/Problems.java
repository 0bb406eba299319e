package dev.conveyor.api.http;

import dev.conveyor.deps.DependencyUnavailable;
import dev.conveyor.deps.Outages;
import dev.conveyor.jobs.Json;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Turns every failure into an RFC 9457 answer; nothing internal (stack, host, SQL, class) reaches the client. */
public final class Problems {
  private static final Logger LOG = Logger.getLogger(Problems.class.getName());

  private Problems() {
  }

  public static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    Problem problem;
    if (failure instanceof Problem p) {
      problem = p;
    } else if (Outages.isOutage(failure)) {
      problem = unavailable(failure);
    } else if (ctx.statusCode() == 413) {
      // HTTP/1.1 clients are told to stop: the connection closes after this answer.
      problem = Problem.of(413, "body-too-large", "Body too large", "The request body exceeds the configured limit.")
          .withHeader("Connection", "close");
    } else if (ctx.statusCode() == 404) {
      problem = Problem.notFound();
    } else if (ctx.statusCode() == 405) {
      problem = Problem.of(405, "method-not-allowed", "Method not allowed", "This resource does not support "
          + ctx.request().method() + ".");
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      problem = Problem.of(ctx.statusCode(), "invalid-request", "Invalid request", "The request could not be processed.");
    } else {
      LOG.log(Level.SEVERE, "unhandled failure on " + ctx.request().method() + " " + ctx.request().path(), failure);
      problem = Problem.of(500, "internal", "Internal error", "The server failed to handle the request.");
    }
    write(ctx, problem);
  }

  /** A system the request needs does not answer: the client should come back, and is told when. */
  public static Problem unavailable(Throwable failure) {
    String which = "a system it depends on";
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof DependencyUnavailable d) {
        which = d.dependency();
        break;
      }
    }
    LOG.log(Level.FINE, "answering 503: " + which + " unavailable", failure);
    return Problem.of(503, "unavailable", "Service unavailable", "The server cannot reach " + which
        + " right now. Retry after the delay given.").withHeader("Retry-After", "2");
  }

  public static void write(RoutingContext ctx, Problem problem) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    problem.headers().forEach(response::putHeader);
    if (!ctx.request().isEnded()) {
      // Refused before its body was read: the rest is discarded as it arrives, never kept, so the client can finish
      // sending and read this answer.
      ctx.request().handler(discarded -> { }).resume();
    }
    response.setStatusCode(problem.status())
        .putHeader("Content-Type", "application/problem+json")
        .end(Json.write(problem.toJson()));
  }
}
