package dev.conveyor.api.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenLeasesTest {
  private static final TenantLimits.Limits LIMITS = new TenantLimits.Limits(20_000, 40_000, 100);

  /** A shared bucket that answers when told, and remembers what it was asked. */
  private static final class Bucket implements TokenLeases.Source {
    final List<Integer> asked = new ArrayList<>();
    final List<Promise<RateLimiter.Lease>> open = new ArrayList<>();
    double tokens;

    Bucket(double tokens) {
      this.tokens = tokens;
    }

    @Override
    public Future<RateLimiter.Lease> lease(String tenant, TenantLimits.Limits limits, int want) {
      asked.add(want);
      Promise<RateLimiter.Lease> promise = Promise.promise();
      open.add(promise);
      return promise.future();
    }

    void answerAll() {
      while (!open.isEmpty()) {
        int want = asked.get(asked.size() - open.size());
        int granted = (int) Math.min(want, Math.floor(tokens));
        tokens -= granted;
        open.remove(0).complete(new RateLimiter.Lease(granted, tokens));
      }
    }
  }

  @Test
  void requestsWaitingTogetherShareOneLeaseAndLeasesGrowWithDemand() {
    Bucket bucket = new Bucket(1_000_000);
    TokenLeases leases = new TokenLeases(bucket);
    List<Future<RateLimiter.Decision>> first = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      first.add(leases.take("a", LIMITS));
    }
    assertEquals(List.of(1), bucket.asked, "one lease in flight for all five");
    bucket.answerAll();
    bucket.answerAll();
    assertTrue(first.stream().allMatch(f -> f.succeeded() && f.result().allowed()));
    assertTrue(bucket.asked.size() <= 5, "leased again only while the bucket had more: " + bucket.asked);
    for (int round = 0; round < 12; round++) {
      for (int i = 0; i < 200; i++) {
        Future<RateLimiter.Decision> taken = leases.take("a", LIMITS);
        bucket.answerAll();
        assertTrue(taken.result().allowed());
      }
    }
    int last = bucket.asked.get(bucket.asked.size() - 1);
    assertEquals(TokenLeases.maxLease(LIMITS), last, "under steady demand a lease reaches its cap: " + bucket.asked);
    assertTrue(bucket.asked.size() < 12 * 200 / 10, "far fewer leases than requests: " + bucket.asked.size());
  }

  @Test
  void anEmptyBucketRefusesWithNothingLeft() {
    Bucket bucket = new Bucket(2);
    TokenLeases leases = new TokenLeases(bucket);
    List<Boolean> allowed = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Future<RateLimiter.Decision> taken = leases.take("b", LIMITS);
      bucket.answerAll();
      allowed.add(taken.result().allowed());
      if (!taken.result().allowed()) {
        assertEquals(0, (long) Math.floor(taken.result().tokensLeft()));
        assertTrue(taken.result().retryAfterSeconds() >= 1);
      }
    }
    assertEquals(List.of(true, true, false, false), allowed);
  }

  @Test
  void aSmallBucketIsLeasedOneTokenAtATime() {
    assertEquals(1, TokenLeases.maxLease(new TenantLimits.Limits(1, 3, 10)));
    Bucket bucket = new Bucket(3);
    TokenLeases leases = new TokenLeases(bucket);
    for (int i = 0; i < 3; i++) {
      Future<RateLimiter.Decision> taken = leases.take("c", new TenantLimits.Limits(1, 3, 10));
      bucket.answerAll();
      assertTrue(taken.result().allowed());
    }
    assertEquals(List.of(1, 1, 1), bucket.asked);
    Future<RateLimiter.Decision> fourth = leases.take("c", new TenantLimits.Limits(1, 3, 10));
    bucket.answerAll();
    assertFalse(fourth.result().allowed());
  }

  @Test
  void aFailedLeaseFailsTheRequestsThatWaitedOnIt() {
    TokenLeases leases = new TokenLeases((tenant, limits, want) -> Future.failedFuture("redis away"));
    assertTrue(leases.take("d", LIMITS).failed());
  }

  @Test
  void moreRequestsWaitingThanTheLeaseBroughtTakeNoMoreThanTheBucketHad() {
    Bucket bucket = new Bucket(3);
    TokenLeases leases = new TokenLeases(bucket);
    List<Future<RateLimiter.Decision>> waiting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(leases.take("e", LIMITS));
    }
    for (int round = 0; round < 10; round++) {
      bucket.answerAll();
    }
    assertTrue(waiting.stream().allMatch(Future::succeeded));
    assertEquals(3, waiting.stream().filter(f -> f.result().allowed()).count(), "three tokens, three requests");
    assertEquals(0.0, bucket.tokens);
  }

  @Test
  void tokensLeasedButNotSpentLapse() throws InterruptedException {
    Bucket bucket = new Bucket(1_000);
    TokenLeases leases = new TokenLeases(bucket);
    for (int i = 0; i < 4; i++) {
      leases.take("f", LIMITS);
      bucket.answerAll();
    }
    int asked = bucket.asked.size();
    Thread.sleep(TokenLeases.LEASE_MS + 50);
    Future<RateLimiter.Decision> later = leases.take("f", LIMITS);
    assertEquals(asked + 1, bucket.asked.size(), "a lapsed lease is asked anew");
    bucket.answerAll();
    assertTrue(later.result().allowed());
  }
}
