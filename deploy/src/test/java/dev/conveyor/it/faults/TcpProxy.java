package dev.conveyor.it.faults;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay in front of one local server, so that a test can take that server away from some processes only:
 * {@link #cut} drops every connection and refuses new ones, as a crashed server would; {@link #restore} lets them in.
 */
public final class TcpProxy {
  private final Vertx vertx;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final int port;
  private NetServer server;

  private TcpProxy(Vertx vertx, int targetPort, int port) {
    this.vertx = vertx;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
    this.port = port;
  }

  public static Future<TcpProxy> start(Vertx vertx, int targetPort, int port) {
    TcpProxy proxy = new TcpProxy(vertx, targetPort, port);
    return proxy.restore().map(proxy);
  }

  public int port() {
    return port;
  }

  public Future<Void> restore() {
    server = vertx.createNetServer().connectHandler(this::relay);
    return server.listen(port, "127.0.0.1").mapEmpty();
  }

  public Future<Void> cut() {
    return server.close().onComplete(ar -> {
      sockets.forEach(NetSocket::close);
      sockets.clear();
    });
  }

  private void relay(NetSocket in) {
    in.pause();
    sockets.add(in);
    client.connect(targetPort, "127.0.0.1").onSuccess(out -> {
      sockets.add(out);
      in.pipeTo(out);
      out.pipeTo(in);
      in.closeHandler(v -> out.close());
      out.closeHandler(v -> in.close());
      in.resume();
    }).onFailure(err -> in.close());
  }
}
