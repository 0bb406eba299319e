package dev.conveyor.cache;

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
 * One Redis pub/sub channel on a dedicated connection, handing each message's payload to a consumer.
 * A lost connection is re-established every second until it holds; {@code onResubscribe} runs each time,
 * since messages published meanwhile were missed.
 */
public final class Subscription {
  private static final Logger LOG = Logger.getLogger(Subscription.class.getName());
  private static final long RECONNECT_MS = 1_000;

  private final Vertx vertx;
  private final Redis redis;
  private final String channel;
  private final Consumer<String> onMessage;
  private final Runnable onResubscribe;
  private volatile boolean stopped;
  private volatile RedisConnection connection;

  public Subscription(Vertx vertx, Redis redis, String channel, Consumer<String> onMessage, Runnable onResubscribe) {
    this.vertx = vertx;
    this.redis = redis;
    this.channel = channel;
    this.onMessage = onMessage;
    this.onResubscribe = onResubscribe;
  }

  public Future<Void> start() {
    return redis.connect().compose(conn -> {
      connection = conn;
      conn.handler(this::handle);
      conn.exceptionHandler(err -> reconnect());
      conn.endHandler(v -> reconnect());
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).mapEmpty();
    });
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

  private void reconnect() {
    if (stopped) {
      return;
    }
    LOG.warning("lost the Redis subscription to " + channel + "; reconnecting");
    vertx.setTimer(RECONNECT_MS, t -> start().onSuccess(v -> onResubscribe.run()).onFailure(err -> reconnect()));
  }
}
