package dev.conveyor.cache;

import dev.conveyor.store.InfraUnavailable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.util.List;

/** Opens the Redis client and proves it answers, or says which server failed and how to fix it. */
public final class RedisClients {
  private RedisClients() {
  }

  /** A client for dedicated connections, such as a pub/sub subscription. */
  public static Redis client(Vertx vertx, String url) {
    return Redis.createClient(vertx, options(url));
  }

  /** A pooled client, once Redis has answered a PING. */
  public static Future<Redis> open(Vertx vertx, String url) {
    Redis client = client(vertx, url);
    return RedisAPI.api(client).ping(List.of())
        .map(pong -> client)
        .recover(err -> {
          client.close();
          return Future.failedFuture(new InfraUnavailable("Redis at " + url + " is not usable: " + err.getMessage()
              + ". Start Redis or point CONVEYOR_REDIS_URL at a running server.", err));
        });
  }

  private static RedisOptions options(String url) {
    return new RedisOptions()
        .setConnectionString(url)
        .setMaxPoolSize(16)
        .setMaxPoolWaiting(10_000)
        .setMaxWaitingHandlers(10_000)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(5000).setTcpNoDelay(true).setTcpKeepAlive(true));
  }
}
