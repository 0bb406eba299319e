package dev.conveyor.deploy.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The machine's limit for a Vert.x 5 HTTP server: every request gets the same small JSON body, with nothing behind
 * it. One verticle instance per core with the API's server options, so the API's figures read as a fraction of it.
 * Run in a child JVM: {@code BareEndpoint <port>}; stops on SIGTERM.
 */
public final class BareEndpoint extends VerticleBase {
  private final int port;

  private BareEndpoint(int port) {
    this.port = port;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new BareEndpoint(port),
            new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
        .onSuccess(id -> System.out.println("bare endpoint listening on 127.0.0.1:" + port))
        .onFailure(err -> {
          System.err.println("bare endpoint cannot start: " + err);
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    // One buffer per instance: each is only written from its own event loop.
    Buffer body = Buffer.buffer("{\"status\":\"ok\"}");
    return vertx.createHttpServer(new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(port)
            .setTcpNoDelay(true)
            .setCompressionSupported(false)
            .setIdleTimeout(120))
        .requestHandler(request -> request.response()
            .putHeader("Content-Type", "application/json")
            .end(body))
        .listen();
  }
}
