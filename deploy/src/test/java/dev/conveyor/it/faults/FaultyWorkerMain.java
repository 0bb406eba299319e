package dev.conveyor.it.faults;

import dev.conveyor.handler.JobHandler;
import dev.conveyor.worker.WorkerMain;
import dev.conveyor.worker.run.HandlerRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A worker process with the built-in types plus the misbehaving test types, for fault tests. The test types are not
 * registered as services, so the test run's own worker never sees them. With {@code CONVEYOR_TEST_ONLY_TYPES=true}
 * the worker runs the test types alone.
 */
public final class FaultyWorkerMain {
  private FaultyWorkerMain() {
  }

  public static void main(String[] args) {
    List<JobHandler> handlers = new ArrayList<>();
    if (!"true".equals(System.getenv("CONVEYOR_TEST_ONLY_TYPES"))) {
      ServiceLoader.load(JobHandler.class).forEach(handlers::add);
    }
    handlers.add(new ScriptedHandler());
    handlers.add(new LimitedHandler());
    WorkerMain.run(new HandlerRegistry(handlers));
  }
}
