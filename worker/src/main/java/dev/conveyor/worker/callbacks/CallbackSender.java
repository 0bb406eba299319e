package dev.conveyor.worker.callbacks;

import dev.conveyor.callback.CallbackTargets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * POSTs one delivery and answers the receiver's status. The host is resolved here, off the event loop, every address
 * it has is checked against {@link CallbackTargets}, and the request goes to an address that was checked: a name that
 * resolves elsewhere by the time of connecting (DNS rebinding) cannot lead it to a private one. Redirects are not
 * followed, for the same reason.
 */
final class CallbackSender {
  /**
   * Why an attempt got no answer, in words safe to show the tenant: never an address, a name lookup's detail or an
   * internal error, which could map the network the server is in. {@code permanent}: no retry can help.
   */
  static final class Failed extends RuntimeException {
    final boolean permanent;

    Failed(String shown, boolean permanent, Throwable cause) {
      super(shown, cause, false, false);
      this.permanent = permanent;
    }
  }

  /** Lookups that hang (a resolver timing out) wait here, never in the pool the job consumer runs on. */
  private static final int LOOKUP_THREADS = 4;

  private final Vertx vertx;
  private final WorkerExecutor lookups;
  private final CallbackTargets targets;
  private final int timeoutMs;
  private final HttpClientAgent client;

  CallbackSender(Vertx vertx, CallbackTargets targets, int timeoutMs, int connections) {
    this.vertx = vertx;
    this.lookups = vertx.createSharedWorkerExecutor("conveyor-callback-lookups", LOOKUP_THREADS);
    this.targets = targets;
    this.timeoutMs = timeoutMs;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(Math.min(timeoutMs, 5_000))
            .setKeepAlive(true).setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(Math.min(connections, 8)).setMaxWaitQueueSize(connections));
  }

  /**
   * The receiver's HTTP status, or a {@link Failed}. Each step is bounded: the lookup and the wait for a connection by
   * the timeout, the exchange by twice it, after which the request is reset so that it is never sent late.
   */
  Future<Integer> post(String url, Map<String, String> headers, Buffer body) {
    URI uri = URI.create(url);
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return checkedAddress(uri.getHost()).compose(address -> {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
          .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
          .setHost(uri.getHost()).setPort(port).setSsl(https).setURI(path).setFollowRedirects(false)
          .setIdleTimeout(timeoutMs).setConnectTimeout(timeoutMs);
      headers.forEach(options::putHeader);
      return client.request(options)
          .recover(err -> Future.failedFuture(new Failed("no connection to the receiver", false, err)))
          .compose(request -> {
            // Idle timeouts bound each wait for data; this bounds a receiver that answers a byte at a time.
            long deadline = vertx.setTimer(2L * timeoutMs, t -> request.reset());
            return request.send(body)
                .compose(response -> response.end().map(v -> response.statusCode()))
                .onComplete(done -> vertx.cancelTimer(deadline))
                .recover(err -> Future.failedFuture(new Failed("no answer from the receiver within "
                    + 2L * timeoutMs + " ms", false, err)));
          });
    });
  }

  private Future<InetAddress> checkedAddress(String host) {
    return lookups.executeBlocking(() -> InetAddress.getAllByName(host), false)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(new Failed("the receiver's host name could not be resolved", false, err)))
        .compose(addresses -> {
          for (InetAddress address : addresses) {
            Optional<String> refusal = targets.refusal(address);
            if (refusal.isPresent()) {
              return Future.failedFuture(new Failed("refused: the receiver's host resolves to a loopback, link-local "
                  + "or private address", true, new IllegalArgumentException(refusal.get())));
            }
          }
          return Future.succeededFuture(addresses[0]);
        });
  }

  Future<Void> close() {
    return client.close().eventually(lookups::close);
  }
}
