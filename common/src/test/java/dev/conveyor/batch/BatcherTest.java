package dev.conveyor.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatcherTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** A flush that the test completes by hand, remembering every batch it was given. */
  private static final class Flushes {
    final List<List<Integer>> batches = new ArrayList<>();
    final List<Promise<List<String>>> open = new ArrayList<>();

    Future<List<String>> flush(List<Integer> items) {
      batches.add(List.copyOf(items));
      Promise<List<String>> promise = Promise.promise();
      open.add(promise);
      return promise.future();
    }

    void answer(int index) {
      open.get(index).complete(batches.get(index).stream().map(i -> "r" + i).toList());
    }
  }

  @Test
  void aLoneCallGoesAtOnceAndCallsMadeMeanwhileShareTheNextBatchEachGettingItsOwnAnswer() {
    Flushes flushes = new Flushes();
    Batcher<Integer, String> batcher = Batcher.of("test", new Batcher.Limits(1, 100, 1000), flushes::flush);
    Future<String> first = batcher.submit(1);
    List<Future<String>> rest = new ArrayList<>();
    for (int i = 2; i <= 5; i++) {
      rest.add(batcher.submit(i));
    }
    assertEquals(List.of(List.of(1)), flushes.batches, "the first call waited for nothing");
    flushes.answer(0);
    assertEquals("r1", first.result());
    assertEquals(List.of(2, 3, 4, 5), flushes.batches.get(1), "the others went together");
    flushes.answer(1);
    assertEquals(List.of("r2", "r3", "r4", "r5"), rest.stream().map(Future::result).toList());
  }

  @Test
  void aBatchNeverPassesItsWeightAndTheWaitingRoomIsBounded() {
    Flushes flushes = new Flushes();
    Batcher<Integer, String> batcher = new Batcher<>("test", new Batcher.Limits(1, 10, 25), i -> i, flushes::flush,
        err -> false);
    batcher.submit(1);
    batcher.submit(6);
    batcher.submit(5);
    batcher.submit(4);
    Future<String> refused = batcher.submit(20);
    assertInstanceOf(Batcher.Full.class, refused.cause(), "15 waiting plus 20 is past 25");
    flushes.answer(0);
    assertEquals(List.of(6), flushes.batches.get(1), "6 and 5 would weigh 11");
    flushes.answer(1);
    assertEquals(List.of(5, 4), flushes.batches.get(2));
  }

  @Test
  void aBatchRefusedForOneItemIsRunAgainItemByItemSoOnlyThatItemFails() {
    List<List<Integer>> batches = new ArrayList<>();
    Promise<List<String>> gate = Promise.promise();
    Batcher<Integer, String> batcher = new Batcher<>("test", new Batcher.Limits(1, 100, 1000), i -> 1, items -> {
      batches.add(List.copyOf(items));
      if (items.equals(List.of(0))) {
        return gate.future();
      }
      return items.contains(13) ? Future.failedFuture(new IllegalArgumentException("13 refused"))
          : Future.succeededFuture(items.stream().map(i -> "r" + i).toList());
    }, err -> err instanceof IllegalArgumentException);
    batcher.submit(0);
    Future<String> eleven = batcher.submit(11);
    Future<String> thirteen = batcher.submit(13);
    Future<String> fourteen = batcher.submit(14);
    gate.complete(List.of("r0"));
    assertEquals("r11", eleven.result());
    assertInstanceOf(IllegalArgumentException.class, thirteen.cause());
    assertEquals("r14", fourteen.result());
    assertEquals(List.of(List.of(0), List.of(11, 13, 14), List.of(11), List.of(13), List.of(14)), batches);
  }

  @Test
  void aFlushWithTheWrongNumberOfAnswersFailsEveryCallOfItAndTheNextBatchStillRuns() {
    Promise<List<String>> gate = Promise.promise();
    Batcher<Integer, String> batcher = Batcher.of("test", new Batcher.Limits(1, 100, 1000), items -> items.get(0) == 0
        ? gate.future() : Future.succeededFuture(items.size() > 1 ? List.of("one") : List.of("ok")));
    batcher.submit(0);
    Future<String> x = batcher.submit(1);
    Future<String> y = batcher.submit(2);
    gate.complete(List.of("zero"));
    assertInstanceOf(IllegalStateException.class, x.cause());
    assertInstanceOf(IllegalStateException.class, y.cause());
    assertEquals("ok", batcher.submit(3).result(), "the batcher goes on");
  }

  @Test
  void eachCallerIsAnsweredOnItsOwnContext() throws Exception {
    Batcher<Integer, String> batcher = Batcher.of("test", new Batcher.Limits(1, 100, 1000),
        items -> Future.succeededFuture(items.stream().map(i -> "r" + i).toList()));
    List<Boolean> onOwn = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(2);
    for (Context context : List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext())) {
      context.runOnContext(v -> batcher.submit(1).onComplete(ar -> {
        onOwn.add(Vertx.currentContext() == context);
        answered.countDown();
      }));
    }
    assertTrue(answered.await(5, TimeUnit.SECONDS));
    assertEquals(List.of(true, true), onOwn);
  }
}
