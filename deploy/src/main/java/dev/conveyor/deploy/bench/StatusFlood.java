package dev.conveyor.deploy.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Load on the API while a set runs: {@code CONNECTIONS} clients reading one job's status back to back (closed loop),
 * as a crowd of pollers would, until closed. All on one event loop of the benchmark's own, so that it takes at most
 * one core from the machine's two.
 */
final class StatusFlood implements AutoCloseable {
  private static final int CONNECTIONS = 32;

  private final HttpClientAgent client;
  private final Context context;
  private final RequestOptions request;
  private final LongAdder answered = new LongAdder();
  private volatile boolean running = true;

  private StatusFlood(Vertx vertx, String baseUrl, String key, String jobId) {
    URI base = URI.create(baseUrl);
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS));
    this.request = new RequestOptions().setMethod(HttpMethod.GET).setHost(base.getHost()).setPort(base.getPort())
        .setURI("/v1/jobs/" + jobId).putHeader("Authorization", "Bearer " + key);
  }

  /** Starts reading {@code jobId} over {@link #CONNECTIONS} connections. */
  static StatusFlood start(Vertx vertx, String baseUrl, String key, String jobId) {
    StatusFlood flood = new StatusFlood(vertx, baseUrl, key, jobId);
    for (int i = 0; i < CONNECTIONS; i++) {
      flood.context.runOnContext(v -> flood.next());
    }
    return flood;
  }

  private void next() {
    if (!running) {
      return;
    }
    client.request(request).compose(r -> r.send()).compose(response -> response.body())
        .onComplete(done -> {
          if (done.succeeded()) {
            answered.increment();
            next();
          } else {
            // An API that refuses or has gone: a pause rather than a spin.
            context.owner().setTimer(100, t -> next());
          }
        });
  }

  long answered() {
    return answered.sum();
  }

  @Override
  public void close() throws Exception {
    running = false;
    client.close().await(10, TimeUnit.SECONDS);
  }
}
