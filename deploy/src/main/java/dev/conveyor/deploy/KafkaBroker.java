package dev.conveyor.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one), run from the
 * {@code kafka_2.13} Maven artifacts in a child JVM so its libraries never mix with Conveyor's.
 * Its storage is formatted once per data directory.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final String bootstrap;

  private KafkaBroker(Process process, String bootstrap) {
    this.process = process;
    this.bootstrap = bootstrap;
  }

  public String bootstrap() {
    return bootstrap;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Starts the broker on {@code port} (controller on {@code port + 1}) and returns once it answers. */
  public static KafkaBroker start(Path dataDir, int port, String heap, File log) throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    Path logDirs = dataDir.resolve("data");
    Path properties = dataDir.resolve("server.properties");
    Files.writeString(properties, properties(logDirs, port));
    String classpath = JavaProcess.ownClasspath();
    if (!Files.exists(logDirs.resolve("meta.properties"))) {
      Process format = JavaProcess.start(JavaProcess.builder(classpath, List.of("-Xmx256m"), "kafka.tools.StorageTool",
          List.of("format", "--standalone", "-t", clusterId(), "-c", properties.toString()), Map.of()), log);
      if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new IOException("formatting Kafka storage in " + logDirs + " failed; see " + log);
      }
    }
    Process broker = JavaProcess.start(JavaProcess.builder(classpath,
        List.of("-Xmx" + heap, "-Xms" + heap, "-XX:+UseG1GC", "-Djava.awt.headless=true"),
        "kafka.Kafka", List.of(properties.toString()), Map.of()), log);
    KafkaBroker started = new KafkaBroker(broker, "127.0.0.1:" + port);
    try {
      started.awaitReady(port);
    } catch (IOException | RuntimeException e) {
      started.close();
      throw e;
    }
    return started;
  }

  private void awaitReady(int port) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    awaitListening(port, deadline);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IOException("the Kafka broker exited with code " + process.exitValue() + " while starting");
        }
        try {
          admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
          return;
        } catch (Exception notYet) {
          Thread.sleep(200);
        }
      }
    }
    throw new IOException("the Kafka broker at " + bootstrap + " did not answer within " + READY_TIMEOUT);
  }

  /** Waits for the port first, so the admin client does not log a warning per refused connection. */
  private void awaitListening(int port, long deadline) throws IOException, InterruptedException {
    while (System.nanoTime() < deadline && process.isAlive()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
  }

  private static String properties(Path logDirs, int port) {
    int controller = port + 1;
    return String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + logDirs,
        "num.partitions=1",
        "default.replication.factor=1",
        "min.insync.replicas=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        // Let Conveyor's worker group detect a dead worker within seconds (the default minimum is 45 s).
        "group.consumer.min.session.timeout.ms=1000",
        "group.consumer.min.heartbeat.interval.ms=500",
        "auto.create.topics.enable=false",
        "log.retention.hours=24",
        "") ;
  }

  /** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
  private static String clusterId() {
    SecureRandom random = new SecureRandom();
    byte[] bytes = new byte[16];
    String id;
    do {
      random.nextBytes(bytes);
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (id.startsWith("-"));
    return id;
  }

  /** Asks the broker to shut down cleanly, and kills it if it does not within 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
