package dev.conveyor.api.limits;

import dev.conveyor.cache.RedisKeys;
import dev.conveyor.cache.RedisScript;
import dev.conveyor.deps.Dependency;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.util.List;

/**
 * A token bucket per tenant in Redis, shared by every API process. A process does not ask it per request: it leases
 * tokens in bulk ({@link TokenLeases}) with one atomic script call that refills the bucket for the time passed
 * (Redis's clock) and takes up to the number asked.
 */
public final class RateLimiter {
  private static final RedisScript LEASE = new RedisScript(String.join("\n",
      "local rate = tonumber(ARGV[1])",
      "local burst = tonumber(ARGV[2])",
      "local want = tonumber(ARGV[3])",
      "local t = redis.call('TIME')",
      "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)",
      "local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')",
      "local tokens = tonumber(state[1]) or burst",
      "local at = tonumber(state[2]) or now",
      "tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)",
      "local granted = math.max(0, math.min(want, math.floor(tokens)))",
      "tokens = tokens - granted",
      "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)",
      "redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)",
      "return {granted, tostring(tokens)}"));

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

  /** Tokens taken from the shared bucket, and what the bucket holds after. */
  public record Lease(int granted, double bucketLeft) {
  }

  private final Redis redis;
  private final RedisKeys keys;
  private final Dependency dependency;

  public RateLimiter(Redis redis, RedisKeys keys, Dependency dependency) {
    this.redis = redis;
    this.keys = keys;
    this.dependency = dependency;
  }

  /** Takes up to {@code want} tokens of the tenant's bucket (none when it is empty). */
  public Future<Lease> lease(String tenant, TenantLimits.Limits limits, int want) {
    return dependency.call(() -> LEASE.run(redis, new RedisScript.Call(List.of(keys.rateBucket(tenant)),
            List.of(Integer.toString(limits.ratePerSecond()), Integer.toString(limits.burst()),
                Integer.toString(want)))))
        .map(response -> new Lease(response.get(0).toInteger(), Double.parseDouble(response.get(1).toString())));
  }
}
