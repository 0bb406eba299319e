package dev.conveyor.it;

import static dev.conveyor.it.Http.awaitTerminal;
import static dev.conveyor.it.Http.eventually;
import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveyor.cache.JobMetrics;
import dev.conveyor.cache.RedisClients;
import dev.conveyor.cache.RedisKeys;
import dev.conveyor.deps.Dependency;
import io.vertx.redis.client.Redis;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The worker counts how far into its run each succeeded job's handler first reported progress, in Redis, where every
 * API process's poll hints read it.
 */
@ExtendWith(TestStack.class)
class FirstReportIT {
  private static Redis redis;
  private static JobMetrics metrics;

  @BeforeAll
  static void connect() {
    redis = RedisClients.client(TestStack.vertx(), "redis://127.0.0.1:6379");
    metrics = new JobMetrics(redis, new RedisKeys(TestStack.env().get("CONVEYOR_NAMESPACE")),
        new Dependency(TestStack.vertx(), "redis", 5_000));
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  @Test
  void aSucceededJobIsCountedAtTheShareOfItsRunWhenItFirstReportedAndOneThatNeverDidAtTheEnd() {
    long[] before = firstReports("sleep");
    // Four steps of 100 ms: the first report a quarter into the run (a moment either side of 25 %).
    awaitTerminal(KEY_ALPHA, submitted(KEY_ALPHA, "{\"type\":\"sleep\",\"payload\":{\"ms\":400,\"steps\":4}}"));
    long[] quarter = eventually(() -> firstReports("sleep"), now -> around(now, 25) > around(before, 25));
    assertEquals(1, around(quarter, 25) - around(before, 25), "one job a quarter in: " + Arrays.toString(quarter));

    // A noop never reports: it counts as reporting at its run's end.
    awaitTerminal(KEY_ALPHA, submitted(KEY_ALPHA, "{\"type\":\"noop\",\"payload\":{}}"));
    long[] noop = eventually(() -> firstReports("noop"), now -> total(now) > 0);
    assertEquals(total(noop), noop[99], "every noop at 100 %: " + Arrays.toString(noop));

    // A job that failed for good did not run to its end: it says nothing of when its type reports. Its count would
    // come first, as it ended first.
    long[] failBefore = firstReports("fail");
    awaitTerminal(KEY_ALPHA, submitted(KEY_ALPHA,
        "{\"type\":\"fail\",\"payload\":{\"times\":1},\"maxAttempts\":1}"));
    awaitTerminal(KEY_ALPHA, submitted(KEY_ALPHA, "{\"type\":\"fail\",\"payload\":{\"times\":0}}"));
    eventually(() -> firstReports("fail"), now -> total(now) > total(failBefore));
    Http.pause(200);
    assertEquals(1, total(firstReports("fail")) - total(failBefore), "the one that succeeded only");
  }

  private static long[] firstReports(String type) {
    return TestStack.await(metrics.hintDurations(List.of(type))).firstReportsByType().get(type);
  }

  /** Jobs counted within a percent of {@code percent}: bucket i holds shares up to i + 1 percent. */
  private static long around(long[] counts, int percent) {
    return counts[percent - 2] + counts[percent - 1] + counts[percent];
  }

  private static long total(long[] counts) {
    long total = 0;
    for (long n : counts) {
      total += n;
    }
    return total;
  }
}
