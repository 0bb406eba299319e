package dev.conveyor.api.polling;

import dev.conveyor.api.http.Problem;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Bounds the requests held open (long polls, waits, event streams), per process and per tenant. */
public final class HeldRequests {
  private final int perProcess;
  private final int perTenant;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> byTenant = new ConcurrentHashMap<>();

  public HeldRequests(int perProcess, int perTenant) {
    this.perProcess = perProcess;
    this.perTenant = perTenant;
  }

  /** Takes a place or throws a 429 problem; every successful call must be paired with {@link #release}. */
  public void hold(String tenant) {
    boolean[] admitted = new boolean[1];
    // Counted inside compute, so a concurrent release can never drop the count this hold adds to.
    byTenant.compute(tenant, (t, n) -> {
      AtomicInteger mine = n == null ? new AtomicInteger() : n;
      admitted[0] = mine.get() < perTenant;
      if (admitted[0]) {
        mine.incrementAndGet();
      }
      return mine.get() == 0 ? null : mine;
    });
    if (!admitted[0]) {
      throw tooMany("this tenant already holds " + perTenant + " waiting requests");
    }
    if (total.incrementAndGet() > perProcess) {
      total.decrementAndGet();
      byTenant.computeIfPresent(tenant, (t, n) -> n.decrementAndGet() <= 0 ? null : n);
      throw tooMany("the server holds as many waiting requests as it allows");
    }
  }

  public void release(String tenant) {
    total.decrementAndGet();
    byTenant.computeIfPresent(tenant, (t, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  public int held() {
    return total.get();
  }

  private static Problem tooMany(String detail) {
    return Problem.of(429, "too-many-waiting", "Too many waiting requests", detail + "; poll instead or retry later.")
        .withHeader("Retry-After", "1");
  }
}
