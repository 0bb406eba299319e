package dev.conveyor.api.limits;

import java.util.HashMap;
import java.util.Map;

/**
 * Each tenant's request rate (tokens per second, burst) and cap on queued jobs: defaults, overridden per tenant by
 * {@code CONVEYOR_TENANT_LIMITS="tenantA:rate:burst:queued,tenantB:..."}.
 */
public final class TenantLimits {

  /** One tenant's limits. */
  public record Limits(int ratePerSecond, int burst, int maxQueued) {
    /** The window in which {@code burst} requests may be made, for the RateLimit-Policy header. */
    public long windowSeconds() {
      return Math.max(1, (burst + ratePerSecond - 1) / ratePerSecond);
    }
  }

  private final Limits defaults;
  private final Map<String, Limits> overrides;

  public TenantLimits(Limits defaults, Map<String, Limits> overrides) {
    this.defaults = defaults;
    this.overrides = Map.copyOf(overrides);
  }

  public static TenantLimits parse(Limits defaults, String declared) {
    Map<String, Limits> overrides = new HashMap<>();
    if (declared != null && !declared.isBlank()) {
      for (String entry : declared.split(",")) {
        String[] parts = entry.trim().split(":");
        try {
          if (parts.length != 4) {
            throw new NumberFormatException();
          }
          Limits limits = new Limits(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Integer.parseInt(parts[3]));
          if (limits.ratePerSecond() < 1 || limits.burst() < 1 || limits.maxQueued() < 1) {
            throw new NumberFormatException();
          }
          overrides.put(parts[0], limits);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("CONVEYOR_TENANT_LIMITS entries must be tenant:rate:burst:queued with "
              + "positive integers, got '" + entry.trim() + "'");
        }
      }
    }
    return new TenantLimits(defaults, overrides);
  }

  public Limits of(String tenant) {
    return overrides.getOrDefault(tenant, defaults);
  }
}
