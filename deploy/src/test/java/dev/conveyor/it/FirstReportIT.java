package dev.conveyor.it;

import static dev.conveyor.it.Http.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.cache.JobMetrics;
import dev.conveyor.cache.RedisClients;
import dev.conveyor.cache.RedisKeys;
import dev.conveyor.deps.Dependency;
import dev.conveyor.it.faults.IsolatedStack;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The worker counts how far into its run each succeeded job's handler first reported progress, in Redis, where every
 * API process's poll hints read it. A stack of its own, so that no other test's jobs of the type finish meanwhile.
 */
@ExtendWith(TestStack.class)
class FirstReportIT {
  private static IsolatedStack stack;
  private static Redis redis;
  private static JobMetrics metrics;

  @BeforeAll
  static void start() {
    stack = IsolatedStack.create("firstreport", Map.of());
    stack.startApi();
    stack.startBuiltinWorker("firstreport-1");
    redis = RedisClients.client(TestStack.vertx(), "redis://127.0.0.1:6379");
    metrics = new JobMetrics(redis, new RedisKeys(stack.env().get("CONVEYOR_NAMESPACE")),
        new Dependency(TestStack.vertx(), "redis", 5_000));
  }

  @AfterAll
  static void close() {
    redis.close();
    stack.close();
  }

  @Test
  void aSucceededJobIsCountedAtTheShareOfItsRunWhenItFirstReportedAndOneThatReportedOnlyAtItsEndThereAndByItsLength() {
    long[] before = firstReports("sleep");
    long[] lateBefore = lateReports("sleep");
    long[] lagsBefore = claimLags("sleep");
    // Four steps of 500 ms: the first report a quarter into the handler's run, or a little later. A
    // later step that oversleeps on a loaded machine moves it a little earlier: steps long enough to keep that small.
    ended(stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":2000,\"steps\":4}}"));
    long[] quarter = eventually(() -> firstReports("sleep"), now -> total(now) > total(before));
    Http.pause(200);
    quarter = firstReports("sleep");
    assertEquals(1, total(quarter) - total(before), "one job: " + Arrays.toString(quarter));
    int bucket = changed(before, quarter);
    assertTrue(JobMetrics.FIRST_REPORT_BUCKETS[bucket] >= 220 && JobMetrics.FIRST_REPORT_BUCKETS[bucket] <= 350,
        "a quarter in, or a little later: up to " + JobMetrics.FIRST_REPORT_BUCKETS[bucket] + " per mille");
    assertEquals(total(lateBefore), total(lateReports("sleep")), "an early report: its length is not a late one's");
    long[] lags = claimLags("sleep");
    assertEquals(1, total(lags) - total(lagsBefore), "its lag from claim to handler: " + Arrays.toString(lags));
    assertTrue(changed(lagsBefore, lags) < JobMetrics.CLAIM_LAG_BUCKETS_MS.length,
        "a moment, not its run (500 ms to its first report): under 300 ms, " + Arrays.toString(lags));

    // One step: its only report at its end. Too short a run (50 ms) says nothing of longer jobs: not counted.
    long[] unreported = firstReports("sleep");
    ended(stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":50,\"steps\":1}}"));
    ended(stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":300,\"steps\":1}}"));
    long[] atEnd = eventually(() -> firstReports("sleep"), now -> total(now) > total(unreported));
    Http.pause(200);
    atEnd = firstReports("sleep");
    assertEquals(1, total(atEnd) - total(unreported), "the 50 ms one nowhere");
    // At its end, give or take the moment between its one report and its return (a thread preempted for 3 ms there,
    // on a loaded machine, made it 99 %).
    assertTrue(JobMetrics.FIRST_REPORT_BUCKETS[changed(unreported, atEnd)] >= 970,
        "the 300 ms job at its end: " + Arrays.toString(atEnd));
    long[] late = lateReports("sleep");
    assertEquals(1, total(late) - total(lateBefore), "the 300 ms job reported late: " + Arrays.toString(late));
    long length = JobMetrics.HINT_BUCKETS_MS[changed(lateBefore, late)];
    assertTrue(length >= 300 && length < 1_000, "counted at its length, from claim to end: " + length + " ms");

    // A job that failed for good (its attempt timed out, after reports) did not run to its end: it says nothing of
    // when its type reports. Its count would come first, as it ended first.
    long[] failBefore = firstReports("sleep");
    JsonNode failed = ended(stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":3000},"
        + "\"timeoutMs\":1000,\"maxAttempts\":1}"));
    assertEquals("failed", failed.get("status").asText());
    ended(stack.submitted("{\"type\":\"sleep\",\"payload\":{\"ms\":1000,\"steps\":2}}"));
    eventually(() -> firstReports("sleep"), now -> total(now) > total(failBefore));
    Http.pause(200);
    long[] halfway = firstReports("sleep");
    assertEquals(1, total(halfway) - total(failBefore), "the one that succeeded only: " + Arrays.toString(halfway));
    bucket = changed(failBefore, halfway);
    assertTrue(JobMetrics.FIRST_REPORT_BUCKETS[bucket] >= 450 && JobMetrics.FIRST_REPORT_BUCKETS[bucket] <= 650,
        "halfway in, or a little later: up to " + JobMetrics.FIRST_REPORT_BUCKETS[bucket] + " per mille");
  }

  private static JsonNode ended(String id) {
    return stack.awaitJob(id, Http::terminal, Duration.ofSeconds(60));
  }

  private static long[] firstReports(String type) {
    return TestStack.await(metrics.hintDurations(List.of(type))).firstReportsByType().get(type);
  }

  private static long[] claimLags(String type) {
    return TestStack.await(metrics.hintDurations(List.of(type))).claimLagsByType().get(type);
  }

  private static long[] lateReports(String type) {
    return TestStack.await(metrics.hintDurations(List.of(type))).lateReportsByType().get(type);
  }

  /** The bucket whose count rose. */
  private static int changed(long[] before, long[] after) {
    for (int i = 0; i < after.length; i++) {
      if (after[i] > before[i]) {
        return i;
      }
    }
    throw new AssertionError("no bucket rose");
  }

  private static long total(long[] counts) {
    long total = 0;
    for (long n : counts) {
      total += n;
    }
    return total;
  }
}
