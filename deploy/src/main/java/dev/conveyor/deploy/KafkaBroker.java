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

  /** Where one node keeps its data and listens: clients on {@code port}, the controller quorum on another. */
  public record Node(int id, Path dataDir, int port, int controllerPort) {
    String address() {
      return "127.0.0.1:" + port;
    }
  }

  private final Node node;
  private final List<Node> voters;
  private final String heap;
  private final File log;
  private Process process;

  private KafkaBroker(Node node, List<Node> voters, String heap, File log) {
    this.node = node;
    this.voters = voters;
    this.heap = heap;
    this.log = log;
  }

  public String bootstrap() {
    return node.address();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** The broker's process id, for reading its CPU time from /proc. */
  public long pid() {
    return process.pid();
  }

  /** Starts a single-node broker on {@code port} (controller on {@code port + 1}) and returns once it answers. */
  public static KafkaBroker start(Path dataDir, int port, String heap, File log) throws IOException, InterruptedException {
    KafkaBroker broker = launch(new Node(1, dataDir, port, port + 1), List.of(), clusterId(), heap, log);
    try {
      broker.awaitReady();
    } catch (IOException | RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /**
   * Formats the node's storage on its first start (for a cluster, with the same id and the static quorum of
   * {@code voters}; alone, as a standalone controller) and starts it without waiting.
   */
  static KafkaBroker launch(Node node, List<Node> voters, String clusterId, String heap, File log)
      throws IOException, InterruptedException {
    Files.createDirectories(node.dataDir());
    Path properties = node.dataDir().resolve("server.properties");
    Files.writeString(properties, properties(node, voters));
    if (!Files.exists(node.dataDir().resolve("data").resolve("meta.properties"))) {
      List<String> args = new java.util.ArrayList<>(List.of("format", "-t", clusterId, "-c", properties.toString()));
      if (voters.isEmpty()) {
        args.add(1, "--standalone");
      }
      Process format = JavaProcess.start(JavaProcess.builder(JavaProcess.ownClasspath(), List.of("-Xmx256m"),
          "kafka.tools.StorageTool", args, Map.of()), log);
      if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new IOException("formatting Kafka storage in " + node.dataDir() + " failed; see " + log);
      }
    }
    KafkaBroker broker = new KafkaBroker(node, voters, heap, log);
    broker.process = JavaProcess.start(JavaProcess.builder(JavaProcess.ownClasspath(),
        List.of("-Xmx" + heap, "-Xms" + heap, "-XX:+UseG1GC", "-Djava.awt.headless=true"),
        "kafka.Kafka", List.of(properties.toString()), Map.of()), log);
    return broker;
  }

  /** Kills the node at once (SIGKILL), as a crash would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  /** Starts a stopped node again on its data, and waits until the cluster answers through it. */
  public void restart() throws IOException, InterruptedException {
    relaunch();
    awaitReady();
  }

  /** Starts a stopped node again on its data, without waiting. */
  void relaunch() throws IOException, InterruptedException {
    process = launch(node, voters, "unused-once-formatted", heap, log).process;
  }

  void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    awaitListening(node.port(), deadline);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.address(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IOException("the Kafka broker exited with code " + process.exitValue() + " while starting; the end"
              + " of its log, " + log + ":\n" + logTail(40));
        }
        try {
          int expected = Math.max(1, voters.size());
          if (admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size() >= expected) {
            return;
          }
        } catch (Exception notYet) {
          // not answering yet
        }
        Thread.sleep(200);
      }
    }
    throw new IOException("the Kafka broker at " + node.address() + " did not answer within " + READY_TIMEOUT
        + "; the end of its log, " + log + ":\n" + logTail(40));
  }

  private String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log.toPath());
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(unreadable: " + e + ")";
    }
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

  /**
   * A combined broker and controller. Alone, every internal topic has one replica; in a cluster of three or more,
   * three replicas with two in sync, like the jobs topics Conveyor creates there.
   */
  private static String properties(Node node, List<Node> voters) {
    boolean cluster = voters.size() >= 3;
    String replicas = cluster ? "3" : "1";
    String minIsr = cluster ? "2" : "1";
    String quorum = voters.isEmpty()
        ? "controller.quorum.bootstrap.servers=127.0.0.1:" + node.controllerPort()
        : "controller.quorum.voters=" + String.join(",", voters.stream()
            .map(v -> v.id() + "@127.0.0.1:" + v.controllerPort()).toList());
    return String.join("\n",
        "process.roles=broker,controller",
        "node.id=" + node.id(),
        quorum,
        "listeners=PLAINTEXT://127.0.0.1:" + node.port() + ",CONTROLLER://127.0.0.1:" + node.controllerPort(),
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + node.port(),
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + node.dataDir().resolve("data"),
        "num.partitions=1",
        "default.replication.factor=" + replicas,
        "min.insync.replicas=" + minIsr,
        "offsets.topic.replication.factor=" + replicas,
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=" + replicas,
        "transaction.state.log.min.isr=" + minIsr,
        "share.coordinator.state.topic.replication.factor=" + replicas,
        "share.coordinator.state.topic.min.isr=" + minIsr,
        "group.initial.rebalance.delay.ms=0",
        // Let Conveyor's worker group detect a dead worker within seconds (the default minimum is 45 s), and let the
        // queue benchmark give a share group the same chance.
        "group.consumer.min.session.timeout.ms=1000",
        "group.consumer.min.heartbeat.interval.ms=500",
        "group.share.min.session.timeout.ms=1000",
        "group.share.min.heartbeat.interval.ms=500",
        "auto.create.topics.enable=false",
        "log.retention.hours=24",
        // The cleaner allocates its whole dedupe buffer (128 MiB by default) at start-up. In a 256 MiB heap, after
        // reloading a few hundred partitions, that one allocation failed a restart with OutOfMemoryError. Only the
        // compacted internal topics use it here, and 16 MiB dedupes about 700,000 keys per pass.
        "log.cleaner.dedupe.buffer.size=" + (16 << 20),
        "");
  }

  /** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
  static String clusterId() {
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
}
