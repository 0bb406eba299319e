package dev.conveyor.api.auth;

import dev.conveyor.api.http.Problem;
import dev.conveyor.batch.OnCaller;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves {@code Authorization: Bearer <key>} to a tenant and puts it in the routing context.
 * Answers are cached for a few seconds per process (bounded), so a revocation takes effect within seconds; concurrent
 * requests with a key not cached share one lookup.
 */
public final class Authenticator implements Handler<RoutingContext> {
  public static final String TENANT = "tenant";
  private static final long KNOWN_TTL_MS = 5_000;
  private static final long UNKNOWN_TTL_MS = 1_000;
  private static final int MAX_CACHED = 10_000;

  /** A lookup, done or in flight; an answer in flight does not expire. */
  private record Cached(Future<Optional<String>> tenant, long expiresAt) {
  }

  private final ApiKeyStore store;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  public Authenticator(ApiKeyStore store) {
    this.store = store;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 512) {
      ctx.fail(unauthorized("Send your API key as 'Authorization: Bearer <key>'."));
      return;
    }
    tenantOf(header.substring(7).trim()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        ctx.fail(unauthorized("The API key is unknown or revoked."));
      } else {
        ctx.put(TENANT, ar.result().get());
        ctx.next();
      }
    });
  }

  private Future<Optional<String>> tenantOf(String key) {
    String hash = ApiKeys.hash(key);
    long now = System.currentTimeMillis();
    Cached cached = cache.get(hash);
    if (cached != null && cached.expiresAt() > now) {
      return OnCaller.context(cached.tenant());
    }
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    Cached[] started = new Cached[1];
    Cached entry = cache.compute(hash, (h, current) -> {
      if (current != null && current.expiresAt() > now) {
        return current;
      }
      started[0] = new Cached(store.tenantOf(hash), Long.MAX_VALUE);
      return started[0];
    });
    if (entry != started[0]) {
      return OnCaller.context(entry.tenant());
    }
    Cached inFlight = entry;
    Future<Optional<String>> lookup = entry.tenant();
    lookup.onComplete(ar -> {
      if (ar.succeeded()) {
        long ttl = ar.result().isPresent() ? KNOWN_TTL_MS : UNKNOWN_TTL_MS;
        cache.replace(hash, inFlight, new Cached(lookup, System.currentTimeMillis() + ttl));
      } else {
        cache.remove(hash, inFlight);
      }
    });
    return lookup;
  }

  private static Problem unauthorized(String detail) {
    return Problem.of(401, "unauthorized", "Unauthorized", detail).withHeader("WWW-Authenticate", "Bearer");
  }

  public static String tenant(RoutingContext ctx) {
    return ctx.get(TENANT);
  }
}
