package dev.conveyor.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kafka cluster of several combined broker-controller nodes (a static KRaft quorum), each a child JVM run from the
 * {@code kafka_2.13} artifacts, like {@link KafkaBroker}. Nodes can be killed and brought back, for fault tests.
 */
public final class KafkaCluster implements AutoCloseable {
  private final List<KafkaBroker> brokers;

  private KafkaCluster(List<KafkaBroker> brokers) {
    this.brokers = brokers;
  }

  /** Starts {@code size} nodes on free ports under {@code home} and returns once each answers with the whole cluster. */
  public static KafkaCluster start(Path home, int size, String heap) throws IOException, InterruptedException {
    List<KafkaBroker.Node> nodes = new ArrayList<>();
    for (int id = 1; id <= size; id++) {
      nodes.add(new KafkaBroker.Node(id, home.resolve("node-" + id), Ports.free(), Ports.free()));
    }
    String clusterId = KafkaBroker.clusterId();
    List<KafkaBroker> brokers = new ArrayList<>();
    for (KafkaBroker.Node node : nodes) {
      File log = home.resolve("node-" + node.id() + ".log").toFile();
      brokers.add(KafkaBroker.launch(node, nodes, clusterId, heap, log));
    }
    KafkaCluster cluster = new KafkaCluster(brokers);
    try {
      for (KafkaBroker broker : brokers) {
        broker.awaitReady();
      }
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public String bootstrap() {
    return String.join(",", brokers.stream().map(KafkaBroker::bootstrap).toList());
  }

  /** Node {@code index} (from 0), to kill or restart. */
  public KafkaBroker node(int index) {
    return brokers.get(index);
  }

  /** Kills every node at once (SIGKILL): the whole cluster is gone. */
  public void killAll() throws InterruptedException {
    for (KafkaBroker broker : brokers) {
      broker.kill();
    }
  }

  /** Starts every node again on its data and waits until each answers with the whole cluster. */
  public void restartAll() throws IOException, InterruptedException {
    for (KafkaBroker broker : brokers) {
      broker.relaunch();
    }
    for (KafkaBroker broker : brokers) {
      broker.awaitReady();
    }
  }


  @Override
  public void close() {
    brokers.forEach(KafkaBroker::close);
  }
}
