package dev.conveyor.api.polling;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Job change notices from Redis pub/sub, one subscription per API process, handed to local watchers.
 * Whichever process (worker or API) changes a job publishes; every API process hears it within milliseconds.
 * A watch fires once; register it before reading the state, so no change slips between read and wait.
 */
public final class ChangeNotices {
  private static final Logger LOG = Logger.getLogger(ChangeNotices.class.getName());
  private static final long RECONNECT_MS = 1_000;

  private final Vertx vertx;
  private final Redis redis;
  private final String channel;
  private final ConcurrentHashMap<UUID, Set<Watch>> watches = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  private volatile RedisConnection connection;

  /** One wait for the next change of one job; completes on the context that created it. */
  public final class Watch {
    private final UUID id;
    private final Context context;
    private final Promise<Void> changed = Promise.promise();

    private Watch(UUID id, Context context) {
      this.id = id;
      this.context = context;
    }

    public Future<Void> changed() {
      return changed.future();
    }

    void fire() {
      context.runOnContext(v -> changed.tryComplete());
    }

    public void close() {
      watches.computeIfPresent(id, (k, set) -> {
        set.remove(this);
        return set.isEmpty() ? null : set;
      });
    }
  }

  public ChangeNotices(Vertx vertx, Redis redis, String channel) {
    this.vertx = vertx;
    this.redis = redis;
    this.channel = channel;
  }

  public Future<Void> start() {
    return redis.connect().compose(conn -> {
      connection = conn;
      conn.handler(this::onMessage);
      conn.exceptionHandler(err -> reconnect());
      conn.endHandler(v -> reconnect());
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).mapEmpty();
    });
  }

  public Watch watch(UUID id) {
    Watch watch = new Watch(id, vertx.getOrCreateContext());
    watches.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(watch);
    return watch;
  }

  public Future<Void> stop() {
    stopped = true;
    RedisConnection conn = connection;
    return conn == null ? Future.succeededFuture() : conn.close();
  }

  private void onMessage(Response message) {
    if (message.size() < 3 || !"message".equals(message.get(0).toString())) {
      return;
    }
    String payload = message.get(2).toString();
    int space = payload.indexOf(' ');
    UUID id;
    try {
      id = UUID.fromString(space < 0 ? payload : payload.substring(0, space));
    } catch (IllegalArgumentException e) {
      return;
    }
    Set<Watch> waiting = watches.remove(id);
    if (waiting != null) {
      waiting.forEach(Watch::fire);
    }
  }

  /** After a lost subscription every watcher re-reads, since a change may have gone unheard. */
  private void reconnect() {
    if (stopped) {
      return;
    }
    watches.keySet().forEach(id -> {
      Set<Watch> waiting = watches.remove(id);
      if (waiting != null) {
        waiting.forEach(Watch::fire);
      }
    });
    LOG.warning("lost the Redis change subscription; reconnecting");
    vertx.setTimer(RECONNECT_MS, t -> start().onFailure(err -> reconnect()));
  }
}
