package dev.conveyor.api.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The token buckets of this process alone, used while Redis cannot be asked: each API process then allows a tenant
 * its whole rate, so a cluster of N processes may let N times the rate through during an outage, never none.
 */
public final class LocalRateLimiter {
  private static final int MAX_TENANTS = 100_000;

  private static final class Bucket {
    private double tokens;
    private long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter.Decision take(String tenant, TenantLimits.Limits limits) {
    long now = System.nanoTime();
    if (buckets.size() >= MAX_TENANTS) {
      buckets.clear();
    }
    Bucket bucket = buckets.computeIfAbsent(tenant, t -> new Bucket(limits.burst(), now));
    synchronized (bucket) {
      bucket.tokens = Math.min(limits.burst(), bucket.tokens + (now - bucket.at) / 1e9 * limits.ratePerSecond());
      bucket.at = now;
      boolean allowed = bucket.tokens >= 1;
      if (allowed) {
        bucket.tokens -= 1;
      }
      return new RateLimiter.Decision(allowed, bucket.tokens, limits);
    }
  }
}
