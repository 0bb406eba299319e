package dev.conveyor.worker.run;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for blocking handlers: virtual threads where the runtime has them (Java 21+), else a fixed pool as
 * large as the worker's concurrency. Either way the consumer's slots bound how many run at once.
 */
public final class HandlerThreads {
  private HandlerThreads() {
  }

  public static ExecutorService create(int concurrency) {
    try {
      return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException notOnThisRuntime) {
      AtomicInteger n = new AtomicInteger();
      return Executors.newFixedThreadPool(concurrency, r -> {
        Thread t = new Thread(r, "conveyor-handler-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
  }
}
