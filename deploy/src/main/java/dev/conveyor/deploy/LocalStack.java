package dev.conveyor.deploy;

import dev.conveyor.config.Logging;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The local all-in-one run: a Kafka broker from Maven artifacts, the API and one worker (or
 * {@code CONVEYOR_LOCAL_WORKERS} of them), on the PostgreSQL and Redis named by the environment. Without
 * {@code CONVEYOR_API_KEYS} it makes a key once (kept in {@code .conveyor/local-api-key}) and prints it with a
 * ready-to-paste curl. Ctrl-C stops everything in order.
 */
public final class LocalStack {
  private static final Path HOME = Path.of(".conveyor");
  private static final Path KEY_FILE = HOME.resolve("local-api-key");

  private LocalStack() {
  }

  public static void main(String[] args) throws Exception {
    Logging.configure();
    Map<String, String> env = new HashMap<>(System.getenv());
    String bootstrap = env.getOrDefault("CONVEYOR_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    String port = env.getOrDefault("CONVEYOR_HTTP_PORT", "8080");
    Files.createDirectories(HOME);

    boolean madeKey = false;
    String key = null;
    if (env.getOrDefault("CONVEYOR_API_KEYS", "").isBlank()) {
      if (Files.exists(KEY_FILE)) {
        key = Files.readString(KEY_FILE).trim();
      } else {
        key = "cvk_local_" + java.util.UUID.randomUUID().toString().replace("-", "");
        Files.writeString(KEY_FILE, key + "\n");
        madeKey = true;
      }
      env.put("CONVEYOR_API_KEYS", "local:" + key);
    }

    System.out.println("conveyor: starting Kafka at " + bootstrap + " (log: .conveyor/kafka.log)");
    KafkaBroker kafka = KafkaBroker.start(HOME.resolve("kafka"), kafkaPort(bootstrap), "512m",
        HOME.resolve("kafka.log").toFile());
    List<Process> apps = new ArrayList<>();
    AtomicBoolean stopping = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.set(true);
      System.out.println("conveyor: stopping worker, API, then Kafka");
      for (int i = apps.size() - 1; i >= 0; i--) {
        stop(apps.get(i));
      }
      kafka.close();
    }, "conveyor-local-shutdown"));

    apps.add(launch("api/target/conveyor-api.jar", env));
    int workers = Integer.parseInt(env.getOrDefault("CONVEYOR_LOCAL_WORKERS", "1"));
    for (int i = 0; i < workers; i++) {
      apps.add(launch("worker/target/conveyor-worker.jar", env));
    }
    awaitReady(port, apps);

    System.out.println();
    System.out.println("conveyor: ready on http://localhost:" + port);
    if (key != null) {
      System.out.println("conveyor: API key (tenant 'local')" + (madeKey ? ", new" : ", from " + KEY_FILE) + ": " + key);
      System.out.println("conveyor: try it:");
      System.out.println("  curl -s -H 'Authorization: Bearer " + key + "' -H 'Content-Type: application/json' \\");
      System.out.println("       -d '{\"type\":\"sleep\",\"payload\":{\"ms\":3000,\"steps\":3}}' http://localhost:" + port
          + "/v1/jobs");
    }
    System.out.println("conveyor: Ctrl-C stops everything");

    while (kafka.alive() && apps.stream().allMatch(Process::isAlive)) {
      Thread.sleep(500);
    }
    if (stopping.get()) {
      return;
    }
    System.err.println("conveyor: a process exited unexpectedly; stopping the rest");
    System.exit(1);
  }

  static int kafkaPort(String bootstrap) {
    String first = bootstrap.split(",")[0].trim();
    return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
  }

  private static Process launch(String jar, Map<String, String> env) throws IOException {
    if (!Files.exists(Path.of(jar))) {
      throw new IOException(jar + " is missing; build first with ./mvnw -DskipTests package");
    }
    ProcessBuilder builder = new ProcessBuilder(JavaProcess.serviceJar(jar)).inheritIO();
    builder.environment().putAll(env);
    return builder.start();
  }

  private static void awaitReady(String port, List<Process> apps) throws Exception {
    URL ready = URI.create("http://127.0.0.1:" + port + "/health/ready").toURL();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!apps.stream().allMatch(Process::isAlive)) {
        throw new IOException("the API or the worker exited while starting; see its message above");
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) ready.openConnection();
        // No idle keep-alive connection left behind to hold up the API's graceful shutdown later.
        connection.setRequestProperty("Connection", "close");
        connection.setConnectTimeout(1000);
        connection.setReadTimeout(3000);
        int status = connection.getResponseCode();
        connection.disconnect();
        if (status == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    throw new IOException("the API did not become ready within 120 s");
  }

  private static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(40, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
