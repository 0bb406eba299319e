package dev.conveyor.config;

import io.vertx.core.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import sun.misc.Signal;

/**
 * Stopping a process cleanly on SIGTERM and SIGINT. The signals are handled directly, not through a JVM shutdown hook,
 * so that the stop runs while logging still works and the process can exit 0 (a hook-driven exit is 143, which
 * orchestrators read as a crash).
 */
public final class Shutdown {
  private Shutdown() {
  }

  /** On the first SIGTERM or SIGINT, runs {@code stop} on a thread of its own, then exits with {@code status}. */
  public static void onSignals(String name, Runnable stop, IntSupplier status) {
    AtomicBoolean stopping = new AtomicBoolean();
    for (String signal : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(signal), received -> {
        if (stopping.compareAndSet(false, true)) {
          new Thread(() -> {
            stop.run();
            System.exit(status.getAsInt());
          }, name + "-shutdown").start();
        }
      });
    }
  }

  /** For stop sequences only (plain threads, never an event loop): waits, bounded, for a step of the shutdown. */
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
