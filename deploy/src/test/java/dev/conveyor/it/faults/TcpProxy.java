package dev.conveyor.it.faults;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.Pipe;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay in front of one local server, so that a test can take that server away from some processes only:
 * {@link #cut} drops every connection and refuses new ones, as a crashed server would; {@link #stall} keeps every
 * connection open but carries nothing, as a hung server or a black-holed network would; {@link #restore} ends either.
 */
public final class TcpProxy {
  private final Vertx vertx;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<Pipe<Buffer>> pipes = ConcurrentHashMap.newKeySet();
  private final int port;
  private NetServer server;
  private volatile boolean stalled;

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
    if (stalled) {
      stalled = false;
      pipes.clear();
      sockets.forEach(NetSocket::close);
      sockets.clear();
      return Future.succeededFuture();
    }
    server = vertx.createNetServer().connectHandler(this::relay);
    return server.listen(port, "127.0.0.1").mapEmpty();
  }

  /** Stops carrying bytes on every connection, and carries none on new ones, until {@link #restore}. */
  public void stall() {
    stalled = true;
    pipes.forEach(Pipe::close);
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
    if (stalled) {
      return;
    }
    client.connect(targetPort, "127.0.0.1").onSuccess(out -> {
      sockets.add(out);
      Pipe<Buffer> upstream = in.pipe();
      Pipe<Buffer> downstream = out.pipe();
      pipes.add(upstream);
      pipes.add(downstream);
      upstream.to(out);
      downstream.to(in);
      in.closeHandler(v -> out.close());
      out.closeHandler(v -> in.close());
    }).onFailure(err -> in.close());
  }
}
