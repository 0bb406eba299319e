package dev.conveyor.api.limits;

import dev.conveyor.batch.OnCaller;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spends a tenant's request tokens locally, leased in bulk from the shared bucket, so that a request waits on Redis
 * only when this process's lease is spent: at most one lease per tenant is asked at a time, and every request
 * arriving meanwhile waits for that one. A lease grows with the demand (twice what the last one served, up to a
 * twentieth of a second of the tenant's rate) and lapses after {@link #LEASE_MS}: tokens a process holds but does not
 * use are lost to the others for at most that long, and a tenant with a small bucket is leased one token at a time,
 * exactly as if every request asked Redis.
 */
public final class TokenLeases {
  static final long LEASE_MS = 250;
  private static final int MAX_TENANTS = 100_000;

  /** One tenant's tokens in this process; guarded by itself. */
  private static final class Held {
    int tokens;
    int spent;
    int lastGranted;
    long expiresAt;
    double bucketLeft;
    Future<RateLimiter.Lease> pending;
  }

  /** Where leases come from: {@link RateLimiter#lease}. */
  @FunctionalInterface
  public interface Source {
    Future<RateLimiter.Lease> lease(String tenant, TenantLimits.Limits limits, int want);
  }

  private final Source source;
  private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();

  public TokenLeases(Source source) {
    this.source = source;
  }

  /** Spends one token of the tenant; fails only if the shared bucket cannot be asked. */
  public Future<RateLimiter.Decision> take(String tenant, TenantLimits.Limits limits) {
    if (held.size() >= MAX_TENANTS) {
      held.clear();
    }
    Held mine = held.computeIfAbsent(tenant, t -> new Held());
    Future<RateLimiter.Lease> lease;
    synchronized (mine) {
      long now = System.currentTimeMillis();
      if (mine.tokens > 0 && now < mine.expiresAt) {
        return Future.succeededFuture(spend(mine, limits));
      }
      if (mine.pending == null) {
        int want = Math.max(1, Math.min(maxLease(limits), 2 * Math.max(mine.spent, mine.lastGranted / 2)));
        mine.pending = source.lease(tenant, limits, want).onComplete(ar -> {
          synchronized (mine) {
            mine.pending = null;
            if (ar.succeeded()) {
              mine.tokens = ar.result().granted();
              mine.lastGranted = ar.result().granted();
              mine.spent = 0;
              mine.bucketLeft = ar.result().bucketLeft();
              mine.expiresAt = System.currentTimeMillis() + LEASE_MS;
            }
          }
        });
      }
      lease = OnCaller.context(mine.pending);
    }
    return lease.compose(granted -> {
      synchronized (mine) {
        // More requests waited on this lease than it brought: those left over lease again while the bucket has some.
        if (mine.tokens == 0 && mine.bucketLeft >= 1) {
          return take(tenant, limits);
        }
        return Future.succeededFuture(spend(mine, limits));
      }
    });
  }

  private static RateLimiter.Decision spend(Held mine, TenantLimits.Limits limits) {
    if (mine.tokens <= 0) {
      return new RateLimiter.Decision(false, Math.min(mine.bucketLeft, 0.999), limits);
    }
    mine.tokens--;
    mine.spent++;
    return new RateLimiter.Decision(true, mine.bucketLeft + mine.tokens, limits);
  }

  /** A twentieth of a second of the rate, and never more than a tenth of the burst. */
  static int maxLease(TenantLimits.Limits limits) {
    return Math.max(1, Math.min(limits.ratePerSecond() / 20, limits.burst() / 10));
  }
}
