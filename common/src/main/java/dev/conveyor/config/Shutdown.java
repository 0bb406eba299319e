package dev.conveyor.config;

import io.vertx.core.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** For shutdown hooks only (plain threads, never an event loop): waits, bounded, for a step of the shutdown. */
public final class Shutdown {
  private Shutdown() {
  }

  public static void await(Future<?> step, long timeoutMs) {
    CountDownLatch done = new CountDownLatch(1);
    step.onComplete(ar -> done.countDown());
    try {
      done.await(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
