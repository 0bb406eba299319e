package dev.conveyor.api.limits;

import dev.conveyor.cache.RedisKeys;
import dev.conveyor.deps.Dependency;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * A token bucket per tenant in Redis, shared by every API process: one atomic script call per request refills
 * the bucket for the time passed (Redis's clock) and takes a token if there is one.
 */
public final class RateLimiter {
  private static final String TAKE = String.join("\n",
      "local rate = tonumber(ARGV[1])",
      "local burst = tonumber(ARGV[2])",
      "local t = redis.call('TIME')",
      "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)",
      "local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')",
      "local tokens = tonumber(state[1]) or burst",
      "local at = tonumber(state[2]) or now",
      "tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)",
      "local allowed = 0",
      "if tokens >= 1 then tokens = tokens - 1; allowed = 1 end",
      "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)",
      "redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)",
      "return {allowed, tostring(tokens)}");

  /** The answer for one request: allowed or not, and the tokens left after it. */
  public record Decision(boolean allowed, double tokensLeft, TenantLimits.Limits limits) {
    /** Seconds until the bucket is full again (the RateLimit header's {@code t}). */
    public long resetSeconds() {
      return (long) Math.ceil((limits.burst() - tokensLeft) / limits.ratePerSecond());
    }

    /** Seconds until the next token, for Retry-After on a 429. */
    public long retryAfterSeconds() {
      return Math.max(1, (long) Math.ceil((1 - tokensLeft) / limits.ratePerSecond()));
    }
  }

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final Dependency dependency;

  public RateLimiter(RedisAPI redis, RedisKeys keys, Dependency dependency) {
    this.redis = redis;
    this.keys = keys;
    this.dependency = dependency;
  }

  public Future<Decision> take(String tenant, TenantLimits.Limits limits) {
    return dependency.call(() -> redis.eval(List.of(TAKE, "1", keys.rateBucket(tenant),
            Integer.toString(limits.ratePerSecond()), Integer.toString(limits.burst()))))
        .map(response -> decision(response, limits));
  }

  private static Decision decision(Response response, TenantLimits.Limits limits) {
    return new Decision(response.get(0).toInteger() == 1, Double.parseDouble(response.get(1).toString()), limits);
  }
}
