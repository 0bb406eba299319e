package dev.conveyor.api;

import dev.conveyor.api.ops.Metrics;
import dev.conveyor.config.Config;
import dev.conveyor.config.Logging;
import dev.conveyor.config.Shutdown;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.util.logging.Logger;

/** Entry point of {@code conveyor-api.jar}. */
public final class ApiMain {
  private ApiMain() {
  }

  public static void main(String[] args) {
    Logging.configure();
    Logger log = Logger.getLogger(ApiMain.class.getName());
    Config config;
    try {
      config = Config.fromEnv();
    } catch (IllegalArgumentException e) {
      System.err.println("conveyor-api: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Vertx vertx = Metrics.vertx(registry);
    ApiApplication.start(vertx, config, registry)
        .onSuccess(app -> {
          log.info("conveyor-api listening on port " + config.httpPort());
          // SIGTERM: stop accepting, let in-flight requests finish (held ones answer at once), then exit 0.
          Shutdown.onSignals("conveyor-api", () -> {
            log.info("conveyor-api shutting down: finishing in-flight requests");
            Shutdown.await(app.stop(), config.shutdownGraceMs());
            Shutdown.await(vertx.close(), 5_000);
            log.info("conveyor-api stopped");
          }, () -> 0);
        })
        .onFailure(err -> {
          System.err.println("conveyor-api: cannot start: " + err.getMessage());
          System.exit(1);
        });
  }
}
