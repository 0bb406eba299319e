package dev.conveyor.config;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One-line log records on standard error for every process, as text or, with {@code CONVEYOR_LOG_FORMAT=json}, as
 * JSON objects ({@link JsonLogFormatter}). Netty says only warnings; Kafka's clients only errors,
 * since they warn on every reconnection attempt; the Redis client's connection manager nothing, since it prints a
 * stack trace for every broken connection. Conveyor logs an outage of each itself, once when it starts and once when
 * it ends.
 */
public final class Logging {
  private static final Logger[] QUIETED = {Logger.getLogger("io.netty"), Logger.getLogger("kafka")};
  private static final Logger KAFKA_CLIENTS = Logger.getLogger("org.apache.kafka");
  private static final Logger REDIS_CONNECTIONS = Logger.getLogger("io.vertx.redis.client.impl.RedisConnectionManager");

  private Logging() {
  }

  public static void configure() {
    Config.LogFormat format;
    try {
      format = Config.logFormat(System.getenv());
    } catch (IllegalArgumentException bad) {
      // Reading the whole configuration reports it, and the process exits as for any bad setting.
      format = Config.LogFormat.TEXT;
    }
    if (format == Config.LogFormat.JSON) {
      for (Handler handler : Logger.getLogger("").getHandlers()) {
        handler.setFormatter(new JsonLogFormatter());
      }
    }
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format",
          "%1$tFT%1$tT.%1$tLZ %4$-7s %3$s - %5$s%6$s%n");
    }
    System.setProperty("user.timezone", "UTC");
    for (Logger logger : QUIETED) {
      logger.setLevel(Level.WARNING);
    }
    KAFKA_CLIENTS.setLevel(Level.SEVERE);
    REDIS_CONNECTIONS.setLevel(Level.OFF);
  }
}
