package dev.conveyor.api.limits;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {

  @Test
  void aTenantGetsItsBurstThenItsRateAndOtherTenantsTheirOwn() throws Exception {
    LocalRateLimiter limiter = new LocalRateLimiter();
    TenantLimits.Limits limits = new TenantLimits.Limits(10, 3, 100);
    for (int i = 0; i < 3; i++) {
      assertTrue(limiter.take("a", limits).allowed());
    }
    assertFalse(limiter.take("a", limits).allowed(), "the burst is spent");
    assertTrue(limiter.take("b", limits).allowed(), "another tenant's bucket is its own");
    Thread.sleep(150);
    assertTrue(limiter.take("a", limits).allowed(), "a token came back at 10 per second");
  }
}
