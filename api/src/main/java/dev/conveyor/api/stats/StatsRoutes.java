package dev.conveyor.api.stats;

import dev.conveyor.api.auth.Authenticator;
import dev.conveyor.api.http.Routes;
import dev.conveyor.store.JobStore;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/stats}: the caller's jobs counted by status and by type, and its jobs submitted and finished per
 * second over the last hour; what the dashboard shows. Figures may be a second or more old (see {@link StatsCache}).
 */
public final class StatsRoutes implements Routes {
  private final StatsCache cache;

  public StatsRoutes(JobStore jobs) {
    this.cache = new StatsCache(jobs);
  }

  @Override
  public void mount(Router router) {
    router.get("/v1/stats").handler(this::stats);
  }

  private void stats(RoutingContext ctx) {
    cache.get(Authenticator.tenant(ctx))
        .onSuccess(json -> ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
            .putHeader("Cache-Control", "no-cache").end(json))
        .onFailure(ctx::fail);
  }
}
