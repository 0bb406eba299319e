package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.deploy.JavaProcess;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A process whose infrastructure is unreachable says which one and how to fix it, and exits non-zero. */
@ExtendWith(TestStack.class)
class StartupFailureIT {

  @ParameterizedTest(name = "{0} without {1}")
  @CsvSource({
      "dev.conveyor.api.ApiMain, CONVEYOR_PG_URL, postgresql://postgres@127.0.0.1:1/conveyor_it, PostgreSQL",
      "dev.conveyor.api.ApiMain, CONVEYOR_REDIS_URL, redis://127.0.0.1:1, Redis",
      "dev.conveyor.api.ApiMain, CONVEYOR_KAFKA_BOOTSTRAP, 127.0.0.1:1, Kafka",
      "dev.conveyor.worker.WorkerMain, CONVEYOR_REDIS_URL, redis://127.0.0.1:1, Redis",
      "dev.conveyor.api.ApiMain, CONVEYOR_WORKER_CONCURRENCY, lots, CONVEYOR_WORKER_CONCURRENCY"})
  void namesTheMissingPieceAndExitsNonZero(String main, String variable, String value, String named)
      throws Exception {
    Map<String, String> env = new HashMap<>(TestStack.env());
    env.put(variable, value);
    env.put("CONVEYOR_HTTP_PORT", "0");
    Process process = JavaProcess.builder(JavaProcess.ownClasspath(), List.of("-Xmx256m"), main, List.of(), env)
        .redirectErrorStream(true).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exits instead of hanging");
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.exitValue() != 0, "non-zero exit");
    assertTrue(output.contains(named), output);
    assertTrue(output.contains("cannot start") || output.contains("bad configuration"), output);
    assertEquals(-1, output.indexOf("\tat "), "a message, not a stack trace: " + output);
  }
}
