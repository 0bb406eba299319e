package dev.conveyor.config;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Every setting of Conveyor, read from the environment in this one place.
 * Defaults suit the local all-in-one run; each bound of the system is named here.
 */
public record Config(
    int httpPort,
    String pgUrl,
    String redisUrl,
    String kafkaBootstrap,
    String apiKeys,
    String namespace,
    int topicPartitions,
    int topicReplication,
    int topicMinInsyncReplicas,
    long topicRetentionMs,
    int kafkaSessionTimeoutMs,
    int workerConcurrency,
    String workerId,
    int workerHealthPort,
    int leaseMs,
    int handlerStopMs,
    int maxResultBytes,
    int reconcileAfterMs,
    int pollMinMs,
    int pollMaxMs,
    int maxBodyBytes,
    int retryBaseMs,
    int pgPoolSize,
    int pgTimeoutMs,
    int redisTimeoutMs,
    int shutdownGraceMs,
    int maxHeldRequests,
    int maxHeldRequestsPerTenant,
    int ratePerSecond,
    int rateBurst,
    int maxQueuedPerTenant,
    int tenantBacklog,
    String tenantLimits,
    Map<String, Integer> typeConcurrency,
    boolean callbackAllowPrivate,
    int callbackConcurrency,
    int callbackTimeoutMs,
    int callbackRetryBaseMs,
    long callbackRetryForMs,
    LogFormat logFormat) {

  /** How log records are written to standard error: one line of text each, or one JSON object each. */
  public enum LogFormat { TEXT, JSON }

  public static Config fromEnv() {
    return from(System.getenv());
  }

  public static Config from(Map<String, String> env) {
    Reader r = new Reader(env);
    Config config = new Config(
        r.integer("CONVEYOR_HTTP_PORT", 8080, 0, 65535),
        r.string("CONVEYOR_PG_URL", "postgresql://postgres@127.0.0.1:5432/conveyor"),
        r.string("CONVEYOR_REDIS_URL", "redis://127.0.0.1:6379"),
        r.string("CONVEYOR_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        r.string("CONVEYOR_API_KEYS", ""),
        r.string("CONVEYOR_NAMESPACE", "conveyor"),
        r.integer("CONVEYOR_TOPIC_PARTITIONS", 12, 1, 1000),
        r.integer("CONVEYOR_TOPIC_REPLICATION", 0, 0, 100),
        r.integer("CONVEYOR_TOPIC_MIN_ISR", 0, 0, 100),
        r.longInteger("CONVEYOR_TOPIC_RETENTION_MS", 30L * 24 * 3_600_000, 3_600_000, Long.MAX_VALUE),
        r.integer("CONVEYOR_KAFKA_SESSION_TIMEOUT_MS", 3_000, 1_000, 1_800_000),
        r.integer("CONVEYOR_WORKER_CONCURRENCY", 64, 1, 10_000),
        r.string("CONVEYOR_WORKER_ID", defaultWorkerId()),
        r.integer("CONVEYOR_WORKER_HEALTH_PORT", 0, 0, 65535),
        r.integer("CONVEYOR_LEASE_MS", 30_000, 1_000, 3_600_000),
        r.integer("CONVEYOR_HANDLER_STOP_MS", 10_000, 100, 3_600_000),
        r.integer("CONVEYOR_MAX_RESULT_BYTES", 1 << 20, 1024, 256 << 20),
        r.integer("CONVEYOR_RECONCILE_AFTER_MS", 60_000, 1_000, 86_400_000),
        r.integer("CONVEYOR_POLL_MIN_MS", 100, 1, 3_600_000),
        r.integer("CONVEYOR_POLL_MAX_MS", 30_000, 1, 3_600_000),
        r.integer("CONVEYOR_MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20),
        r.integer("CONVEYOR_RETRY_BASE_MS", 1000, 1, 3_600_000),
        r.integer("CONVEYOR_PG_POOL_SIZE", 16, 1, 1000),
        r.integer("CONVEYOR_PG_TIMEOUT_MS", 10_000, 100, 600_000),
        r.integer("CONVEYOR_REDIS_TIMEOUT_MS", 1_000, 10, 60_000),
        r.integer("CONVEYOR_SHUTDOWN_GRACE_MS", 20_000, 0, 3_600_000),
        r.integer("CONVEYOR_MAX_HELD_REQUESTS", 10_000, 1, 1_000_000),
        r.integer("CONVEYOR_MAX_HELD_REQUESTS_PER_TENANT", 1_000, 1, 1_000_000),
        r.integer("CONVEYOR_RATE_PER_SEC", 20_000, 1, 10_000_000),
        r.integer("CONVEYOR_RATE_BURST", 40_000, 1, 10_000_000),
        r.integer("CONVEYOR_MAX_QUEUED_PER_TENANT", 1_000_000, 1, 1_000_000_000),
        r.integer("CONVEYOR_TENANT_BACKLOG", 1_000, 1, 1_000_000_000),
        r.string("CONVEYOR_TENANT_LIMITS", ""),
        typeConcurrency(r.string("CONVEYOR_TYPE_CONCURRENCY", "")),
        r.bool("CONVEYOR_CALLBACK_ALLOW_PRIVATE", false),
        r.integer("CONVEYOR_CALLBACK_CONCURRENCY", 32, 1, 10_000),
        r.integer("CONVEYOR_CALLBACK_TIMEOUT_MS", 10_000, 100, 600_000),
        r.integer("CONVEYOR_CALLBACK_RETRY_BASE_MS", 5_000, 1, 3_600_000),
        r.longInteger("CONVEYOR_CALLBACK_RETRY_FOR_MS", 86_400_000L, 1_000, 30L * 86_400_000),
        logFormat(env));
    if (config.pollMinMs > config.pollMaxMs) {
      throw new IllegalArgumentException("CONVEYOR_POLL_MIN_MS must not exceed CONVEYOR_POLL_MAX_MS");
    }
    if (!config.namespace.matches("[a-z][a-z0-9_]{0,30}")) {
      throw new IllegalArgumentException("CONVEYOR_NAMESPACE must match [a-z][a-z0-9_]{0,30}, got '" + config.namespace + "'");
    }
    if (config.topicReplication > 0 && config.topicMinInsyncReplicas > config.topicReplication) {
      throw new IllegalArgumentException("CONVEYOR_TOPIC_MIN_ISR must not exceed CONVEYOR_TOPIC_REPLICATION");
    }
    return config;
  }

  /**
   * {@code CONVEYOR_LOG_FORMAT}, on its own: logging is set up before the rest of the settings are read, so that a
   * bad one is reported in the chosen format.
   */
  public static LogFormat logFormat(Map<String, String> env) {
    String raw = new Reader(env).string("CONVEYOR_LOG_FORMAT", "text");
    for (LogFormat format : LogFormat.values()) {
      if (format.name().equalsIgnoreCase(raw)) {
        return format;
      }
    }
    throw new IllegalArgumentException("CONVEYOR_LOG_FORMAT must be text or json, got '" + raw + "'");
  }

  /** How often a worker renews its leases: three chances before one runs out. */
  public long heartbeatMs() {
    return Math.max(250, leaseMs / 3);
  }

  /**
   * {@code type:n,...}: at most n jobs of the type run at once in the whole cluster. A type name may hold ':', so
   * the count is what follows the last one.
   */
  static Map<String, Integer> typeConcurrency(String setting) {
    Map<String, Integer> limits = new LinkedHashMap<>();
    if (setting.isBlank()) {
      return limits;
    }
    for (String entry : setting.split(",", -1)) {
      String item = entry.trim();
      int colon = item.lastIndexOf(':');
      String type = colon < 0 ? "" : item.substring(0, colon).trim();
      Integer limit = null;
      try {
        limit = colon < 0 ? null : Integer.valueOf(item.substring(colon + 1).trim());
      } catch (NumberFormatException e) {
        // reported below
      }
      if (type.isEmpty() || limit == null || limit < 1 || limit > 100_000 || limits.containsKey(type)) {
        throw new IllegalArgumentException("CONVEYOR_TYPE_CONCURRENCY must be type:n,... with each type once and n "
            + "between 1 and 100000, got '" + item + "'");
      }
      limits.put(type, limit);
    }
    return Map.copyOf(limits);
  }

  private static String defaultWorkerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "worker";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  private record Reader(Map<String, String> env) {
    String string(String name, String fallback) {
      String value = env.get(name);
      return value == null || value.isBlank() ? fallback : value.trim();
    }

    boolean bool(String name, boolean fallback) {
      String raw = string(name, null);
      if (raw == null) {
        return fallback;
      }
      if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException(name + " must be true or false, got '" + raw + "'");
      }
      return Boolean.parseBoolean(raw);
    }

    int integer(String name, int fallback, int min, int max) {
      return (int) longInteger(name, fallback, min, max);
    }

    long longInteger(String name, long fallback, long min, long max) {
      return parse(name, fallback, raw -> {
        long value = Long.parseLong(raw);
        if (value < min || value > max) {
          throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
      });
    }

    private <T> T parse(String name, T fallback, Function<String, T> parser) {
      String raw = string(name, null);
      if (raw == null) {
        return fallback;
      }
      try {
        return parser.apply(raw);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be an integer, got '" + raw + "'");
      }
    }
  }
}
