package dev.conveyor.api.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TenantLimitsTest {
  private static final TenantLimits.Limits DEFAULTS = new TenantLimits.Limits(100, 200, 1000);

  @Test
  void overridesApplyToTheirTenantOnly() {
    TenantLimits limits = TenantLimits.parse(DEFAULTS, "small:1:3:10, big:5000:10000:1000000");
    assertEquals(new TenantLimits.Limits(1, 3, 10), limits.of("small"));
    assertEquals(new TenantLimits.Limits(5000, 10000, 1000000), limits.of("big"));
    assertEquals(DEFAULTS, limits.of("anyone"));
    assertEquals(DEFAULTS, TenantLimits.parse(DEFAULTS, "").of("small"));
  }

  @Test
  void windowIsTheTimeToRefillTheBurst() {
    assertEquals(2, DEFAULTS.windowSeconds());
    assertEquals(3, new TenantLimits.Limits(1, 3, 1).windowSeconds());
    assertEquals(1, new TenantLimits.Limits(1000, 10, 1).windowSeconds());
  }

  @Test
  void malformedOverridesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> TenantLimits.parse(DEFAULTS, "t:1:2"));
    assertThrows(IllegalArgumentException.class, () -> TenantLimits.parse(DEFAULTS, "t:0:2:3"));
    assertThrows(IllegalArgumentException.class, () -> TenantLimits.parse(DEFAULTS, "t:a:2:3"));
  }
}
