package dev.conveyor.cache;

import dev.conveyor.deps.Dependency;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One Redis pub/sub channel on a dedicated connection, handing each message's payload to a consumer. A lost
 * connection is re-established every second until it holds. {@code onGap} runs when it is lost and again when it is
 * back, since messages published in between were missed; the loss and the return are logged once each.
 */
public final class Subscription {
  private static final Logger LOG = Logger.getLogger(Subscription.class.getName());
  private static final long RECONNECT_MS = 1_000;

  private final Vertx vertx;
  private final Redis redis;
  private final Dependency dependency;
  private final String channel;
  private final Consumer<String> onMessage;
  private final Runnable onGap;
  private volatile boolean stopped;
  private volatile boolean connected;
  private volatile RedisConnection connection;
  private long lostAt;

  public Subscription(Vertx vertx, Redis redis, Dependency dependency, String channel, Consumer<String> onMessage,
      Runnable onGap) {
    this.vertx = vertx;
    this.redis = redis;
    this.dependency = dependency;
    this.channel = channel;
    this.onMessage = onMessage;
    this.onGap = onGap;
  }

  /** Connects and subscribes, both within the dependency's time limit; a connection that comes too late is closed. */
  public Future<Void> start() {
    Future<RedisConnection> connecting = redis.connect();
    return dependency.call(() -> connecting)
        .onFailure(err -> connecting.onSuccess(RedisConnection::close))
        .compose(conn -> {
          connection = conn;
          conn.handler(this::handle);
          conn.exceptionHandler(err -> lost(conn));
          conn.endHandler(v -> lost(conn));
          return dependency.call(() -> conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)))
              .onFailure(err -> conn.close()).<Void>mapEmpty();
        }).onSuccess(v -> connected = true);
  }

  /** False while the subscription is down: messages may be missed, so listeners should look for themselves. */
  public boolean connected() {
    return connected;
  }

  public Future<Void> stop() {
    stopped = true;
    RedisConnection conn = connection;
    return conn == null ? Future.succeededFuture() : conn.close().eventually(redis::close);
  }

  private void handle(Response message) {
    if (message.size() >= 3 && "message".equals(message.get(0).toString())) {
      onMessage.accept(message.get(2).toString());
    }
  }

  private synchronized void lost(RedisConnection conn) {
    if (stopped || conn != connection || !connected) {
      return;
    }
    connected = false;
    conn.close();
    lostAt = System.currentTimeMillis();
    LOG.warning("lost the Redis subscription to " + channel + "; reconnecting every " + RECONNECT_MS + " ms");
    onGap.run();
    retry();
  }

  private void retry() {
    vertx.setTimer(RECONNECT_MS, t -> {
      if (stopped) {
        return;
      }
      start().onSuccess(v -> {
        LOG.info("resubscribed to " + channel + " after " + (System.currentTimeMillis() - lostAt) / 1000 + " s");
        onGap.run();
      }).onFailure(err -> retry());
    });
  }
}
