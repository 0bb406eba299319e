package dev.conveyor.worker;

import dev.conveyor.config.Config;
import dev.conveyor.config.Logging;
import dev.conveyor.config.Shutdown;
import dev.conveyor.worker.run.HandlerRegistry;
import io.vertx.core.Vertx;
import java.util.logging.Logger;

/** Entry point of {@code conveyor-worker.jar}. */
public final class WorkerMain {
  private WorkerMain() {
  }

  public static void main(String[] args) {
    HandlerRegistry handlers;
    try {
      handlers = HandlerRegistry.discover();
    } catch (IllegalArgumentException e) {
      System.err.println("conveyor-worker: bad handlers: " + e.getMessage());
      System.exit(2);
      return;
    }
    run(handlers);
  }

  /** Runs a worker process with these handlers until SIGTERM, or until it cannot go on. */
  public static void run(HandlerRegistry handlers) {
    Logging.configure();
    Logger log = Logger.getLogger(WorkerMain.class.getName());
    Config config;
    try {
      config = Config.fromEnv();
    } catch (IllegalArgumentException e) {
      System.err.println("conveyor-worker: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    WorkerApplication.start(vertx, config, handlers)
        .onSuccess(app -> {
          Shutdown.onSignals("conveyor-worker", () -> {
            log.info("conveyor-worker shutting down: finishing running jobs (up to "
                + config.shutdownGraceMs() + " ms), then handing the rest back");
            Shutdown.await(app.stop(), 5_000);
            Shutdown.await(vertx.close(), 2_000);
            log.info("conveyor-worker stopped");
          }, app::exitStatus);
          // A worker that can no longer consume is of no use: exit, so that its supervisor starts a new one.
          app.ended().exceptionally(err -> {
            System.err.println("conveyor-worker: stopped consuming: " + err.getMessage());
            new Thread(() -> {
              Shutdown.await(app.stop(), 5_000);
              System.exit(1);
            }, "conveyor-worker-exit").start();
            return null;
          });
        })
        .onFailure(err -> {
          System.err.println("conveyor-worker: cannot start: " + err.getMessage());
          System.exit(1);
        });
  }
}
