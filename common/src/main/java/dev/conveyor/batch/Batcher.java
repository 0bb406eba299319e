package dev.conveyor.batch;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * Coalesces concurrent calls into batches, as a group commit does: while {@code maxInFlight} batches run, new calls
 * wait and then go together in the next one (up to {@code maxBatch} in weight). A lone call goes at once, and load
 * batches itself, with no timer in the way. Each caller gets its own result, on the context it called from.
 *
 * <p>A batch that fails as a whole with an error that {@code splitOn} accepts (one item's value refused, say) is run
 * again item by item, so that only the item at fault fails. Past {@code maxWaiting} in weight, a call fails at once
 * with {@link Full}: the bound on what may wait.
 *
 * @param <I> what a caller hands in
 * @param <O> what that caller gets back
 */
public final class Batcher<I, O> {
  /** The waiting room is full; nothing was done for this call. */
  public static final class Full extends RuntimeException {
    Full(String name) {
      super(name + ": too many calls are waiting");
    }
  }

  /**
   * Settings of one batcher: batches run at once, and the weight of one batch and of all calls waiting (an item's
   * weight is what the batcher's weight function says, 1 for most). A batch split item by item after a failure runs
   * its items at once, beside the others.
   */
  public record Limits(int maxInFlight, int maxBatch, int maxWaiting) {
  }

  private record Call<I, O>(I item, int weight, Context context, Promise<O> promise) {
  }

  private final String name;
  private final Limits limits;
  private final ToIntFunction<I> weight;
  private final Function<List<I>, Future<List<O>>> flush;
  private final Predicate<Throwable> splitOn;
  private final ArrayDeque<Call<I, O>> waiting = new ArrayDeque<>();
  private int waitingWeight;
  private int inFlight;

  /**
   * @param flush runs one batch; its result holds one answer per item, in order
   */
  public Batcher(String name, Limits limits, ToIntFunction<I> weight, Function<List<I>, Future<List<O>>> flush,
      Predicate<Throwable> splitOn) {
    this.name = name;
    this.limits = limits;
    this.weight = weight;
    this.flush = flush;
    this.splitOn = splitOn;
  }

  /** A batcher whose items weigh one each and whose batches are never split. */
  public static <I, O> Batcher<I, O> of(String name, Limits limits, Function<List<I>, Future<List<O>>> flush) {
    return new Batcher<>(name, limits, item -> 1, flush, err -> false);
  }

  public Future<O> submit(I item) {
    Call<I, O> call = new Call<>(item, weight.applyAsInt(item), Vertx.currentContext(), Promise.promise());
    synchronized (this) {
      if (waitingWeight + call.weight() > limits.maxWaiting()) {
        return Future.failedFuture(new Full(name));
      }
      waiting.add(call);
      waitingWeight += call.weight();
    }
    next();
    return call.promise().future();
  }

  private void next() {
    List<Call<I, O>> batch = new ArrayList<>();
    synchronized (this) {
      if (inFlight >= limits.maxInFlight() || waiting.isEmpty()) {
        return;
      }
      int size = 0;
      while (!waiting.isEmpty() && (batch.isEmpty() || size + waiting.peek().weight() <= limits.maxBatch())) {
        Call<I, O> call = waiting.poll();
        batch.add(call);
        size += call.weight();
      }
      waitingWeight -= size;
      inFlight++;
    }
    run(batch).onComplete(ar -> {
      synchronized (this) {
        inFlight--;
      }
      try {
        if (ar.failed() && batch.size() > 1 && splitOn.test(ar.cause())) {
          batch.forEach(call -> run(List.of(call)).onComplete(alone -> answer(List.of(call), alone)));
        } else {
          answer(batch, ar);
        }
      } finally {
        next();
      }
    });
  }

  private Future<List<O>> run(List<Call<I, O>> batch) {
    List<I> items = new ArrayList<>(batch.size());
    batch.forEach(call -> items.add(call.item()));
    try {
      return flush.apply(items).compose(answers -> answers.size() == items.size() ? Future.succeededFuture(answers)
          : Future.failedFuture(new IllegalStateException(name + ": " + answers.size() + " answers for "
              + items.size() + " calls")));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static <I, O> void answer(List<Call<I, O>> batch, AsyncResult<List<O>> result) {
    for (int i = 0; i < batch.size(); i++) {
      Call<I, O> call = batch.get(i);
      Runnable settle;
      if (result.failed()) {
        settle = () -> call.promise().fail(result.cause());
      } else {
        O answer = result.result().get(i);
        settle = () -> call.promise().complete(answer);
      }
      if (call.context() == null) {
        settle.run();
      } else {
        call.context().runOnContext(v -> settle.run());
      }
    }
  }
}
