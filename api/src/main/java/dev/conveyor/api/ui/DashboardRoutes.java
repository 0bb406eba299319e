package dev.conveyor.api.ui;

import dev.conveyor.api.http.Routes;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The dashboard at {@code /ui/}: static pages from this jar that sign in with an API key and call the {@code /v1} API
 * as any client does, so they see exactly what the key's tenant may see. The chart library comes from its WebJar
 * under {@code /ui/vendor/}: nothing is fetched from elsewhere. Not part of the API, so {@code /openapi.json} leaves
 * it out.
 */
public final class DashboardRoutes implements Routes {
  /** Beside this class in the jar, so no other jar's files can shadow the pages. */
  private static final String PAGES = "dev/conveyor/api/ui/pages";
  /** The WebJar's files, of the version the parent pom names (uplot.version). */
  private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist";
  /**
   * Scripts and styles from this origin only: with every value rendered as text, a payload that holds markup cannot
   * run even if a rendering mistake slipped in. uPlot sizes its canvas through inline styles.
   */
  private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  private static final int PAGES_MAX_AGE_SECONDS = 60;
  /** The library's path names its version, so a new one is a new path. */
  private static final int VENDOR_MAX_AGE_SECONDS = 86_400;

  @Override
  public void mount(Router router) {
    // Vert.x matches "/ui/" to this route too; only the bare "/ui" is sent on, so relative links resolve under /ui/.
    router.get("/ui").handler(ctx -> {
      if (ctx.request().path().equals("/ui")) {
        ctx.redirect("/ui/");
      } else {
        ctx.next();
      }
    });
    router.route("/ui/*").handler(DashboardRoutes::secure);
    router.route("/ui/vendor/uplot/*").handler(StaticHandler.create(UPLOT)
        .setMaxAgeSeconds(VENDOR_MAX_AGE_SECONDS).setDirectoryListing(false));
    router.route("/ui/*").handler(StaticHandler.create(PAGES)
        .setMaxAgeSeconds(PAGES_MAX_AGE_SECONDS).setDirectoryListing(false));
  }

  private static void secure(RoutingContext ctx) {
    ctx.response().putHeader("Content-Security-Policy", POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }
}
