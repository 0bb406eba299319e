package dev.conveyor.api.limits;

import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Spends one token of the caller's tenant per {@code /v1} request, from tokens this process leased in bulk, and puts
 * the IETF {@code RateLimit-Policy} and {@code RateLimit} headers on every answer; 429 with Retry-After when the
 * bucket is empty. While Redis cannot be asked, this process's own buckets decide: an unavailable limiter must not
 * take the API down with it.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger(RateLimitHandler.class.getName());
  private static final String POLICY = "\"tenant\"";

  private final TokenLeases leases;
  private final LocalRateLimiter fallback = new LocalRateLimiter();
  private final TenantLimits limits;

  public RateLimitHandler(TokenLeases leases, TenantLimits limits) {
    this.leases = leases;
    this.limits = limits;
  }

  @Override
  public void handle(RoutingContext ctx) {
    TenantLimits.Limits mine = limits.of(Authenticator.tenant(ctx));
    HttpServerResponse response = ctx.response();
    response.putHeader("RateLimit-Policy", POLICY + ";q=" + mine.burst() + ";w=" + mine.windowSeconds());
    String tenant = Authenticator.tenant(ctx);
    leases.take(tenant, mine).recover(err -> {
      LOG.log(Level.FINE, "rate limiter unavailable; this process decides alone: " + err.getMessage());
      return Future.succeededFuture(fallback.take(tenant, mine));
    }).onSuccess(decision -> {
      response.putHeader("RateLimit", POLICY + ";r=" + (long) Math.floor(decision.tokensLeft())
          + ";t=" + decision.resetSeconds());
      if (decision.allowed()) {
        ctx.next();
      } else {
        ctx.fail(Problem.of(429, "rate-limited", "Too many requests", "This tenant may make " + mine.burst()
                + " requests at once and " + mine.ratePerSecond() + " per second; retry after the delay given.")
            .withHeader("Retry-After", Long.toString(decision.retryAfterSeconds())));
      }
    });
  }
}
