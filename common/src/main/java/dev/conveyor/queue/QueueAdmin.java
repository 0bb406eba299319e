package dev.conveyor.queue;

import dev.conveyor.config.Config;
import dev.conveyor.store.InfraUnavailable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Conveyor's administration of Kafka through one admin client: topics per type (partitions, replication, min ISR and
 * retention from {@link Config}), the workers' group settings, offsets for the reconciler and the readiness probe.
 * Every call is asynchronous and completes on the caller's context.
 */
public final class QueueAdmin implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(QueueAdmin.class.getName());
  private static final int TIMEOUT_MS = 10_000;
  private static final int PROBE_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final Config config;
  private final Topics topics;
  private final Admin admin;

  private QueueAdmin(Vertx vertx, Config config, Admin admin) {
    this.vertx = vertx;
    this.config = config;
    this.topics = new Topics(config.namespace());
    this.admin = admin;
  }

  /** Connects once the cluster answers, or fails with one message naming the servers and the fix. */
  public static Future<QueueAdmin> open(Vertx vertx, Config config) {
    String bootstrap = config.kafkaBootstrap();
    return vertx.<Admin>executeBlocking(() -> {
      probe(bootstrap);
      return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
          AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS));
    }, false).compose(admin -> {
      QueueAdmin opened = new QueueAdmin(vertx, config, admin);
      return opened.brokers().map(n -> opened).recover(err -> vertx.executeBlocking(() -> {
        opened.close();
        return null;
      }).transform(closed -> Future.failedFuture(unusable(bootstrap, err))));
    }, err -> Future.failedFuture(err instanceof InfraUnavailable ? err : unusable(bootstrap, err)));
  }

  /** Fails fast, with one clear message, when no bootstrap server even accepts a connection. */
  private static void probe(String bootstrap) {
    IOException last = null;
    for (String server : bootstrap.split(",")) {
      String hostPort = server.trim();
      int colon = hostPort.lastIndexOf(':');
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(hostPort.substring(0, colon),
            Integer.parseInt(hostPort.substring(colon + 1))), 3000);
        return;
      } catch (IOException | RuntimeException e) {
        last = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
      }
    }
    throw new InfraUnavailable("Kafka at " + bootstrap + " is not reachable (" + last.getMessage()
        + "). Start the broker (deploy/conveyor-kafka) or point CONVEYOR_KAFKA_BOOTSTRAP at a running one.", last);
  }

  private static InfraUnavailable unusable(String bootstrap, Throwable err) {
    return new InfraUnavailable("Kafka at " + bootstrap + " is not usable: " + err
        + ". Start the broker (deploy/conveyor-kafka) or point CONVEYOR_KAFKA_BOOTSTRAP at a running one.", err);
  }

  /** How many brokers the cluster has. */
  public Future<Integer> brokers() {
    return vertxFuture(admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes())
        .map(Collection::size);
  }

  /** Whether the cluster answers, within a short time: for the readiness check. */
  public Future<Void> check() {
    return vertxFuture(admin.describeCluster(new DescribeClusterOptions().timeoutMs(PROBE_TIMEOUT_MS)).clusterId())
        .mapEmpty();
  }

  /**
   * Creates the topics of these types that are missing. Unless set, replication is 3 with min ISR 2 on a cluster of
   * three brokers or more, and 1 with min ISR 1 on a single broker (2 and 1 on two).
   */
  public Future<Void> ensureTopics(Collection<String> types) {
    return brokers().compose(brokers -> vertxFuture(admin.listTopics().names()).compose(existing -> {
      int replication = config.topicReplication() > 0 ? config.topicReplication() : Math.min(3, brokers);
      int minIsr = config.topicMinInsyncReplicas() > 0 ? config.topicMinInsyncReplicas() : Math.max(1, replication - 1);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics.forTypes(types)) {
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, config.topicPartitions(), (short) replication).configs(Map.of(
              TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minIsr),
              TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.topicRetentionMs()))));
        }
      }
      if (missing.isEmpty()) {
        return Future.succeededFuture();
      }
      LOG.info("creating topics " + missing.stream().map(NewTopic::name).toList() + " with replication " + replication
          + ", min ISR " + minIsr);
      return vertxFuture(admin.createTopics(missing).all())
          .recover(err -> isTopicExists(err) ? Future.succeededFuture() : Future.failedFuture(err));
    }));
  }

  private static boolean isTopicExists(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof TopicExistsException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Asks the cluster to drop a silent worker from the group after {@code CONVEYOR_KAFKA_SESSION_TIMEOUT_MS}, so its
   * partitions reach the others within seconds. A broker whose minimum is higher keeps its own setting; we say so.
   */
  public Future<Void> tuneWorkerGroup() {
    int session = config.kafkaSessionTimeoutMs();
    ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, topics.workerGroup());
    List<AlterConfigOp> ops = List.of(
        new AlterConfigOp(new ConfigEntry("consumer.session.timeout.ms", Integer.toString(session)),
            AlterConfigOp.OpType.SET),
        new AlterConfigOp(new ConfigEntry("consumer.heartbeat.interval.ms", Integer.toString(Math.max(500, session / 3))),
            AlterConfigOp.OpType.SET));
    return vertxFuture(admin.incrementalAlterConfigs(Map.of(group, ops)).all())
        .recover(err -> {
          LOG.warning("the Kafka cluster refused a worker session timeout of " + session + " ms (" + err.getMessage()
              + "); a worker that dies loses its partitions after the broker's group.consumer.session.timeout.ms. "
              + "Lower group.consumer.min.session.timeout.ms on the brokers, or set CONVEYOR_KAFKA_SESSION_TIMEOUT_MS.");
          return Future.succeededFuture();
        });
  }

  /** The latest offset of every partition of these topics (missing topics are left out). */
  public Future<Map<TopicPartition, Long>> endOffsets(Collection<String> topicNames) {
    return vertxFuture(admin.listTopics().names()).compose(existing -> {
      List<String> present = topicNames.stream().filter(existing::contains).toList();
      if (present.isEmpty()) {
        return Future.succeededFuture(Map.of());
      }
      return vertxFuture(admin.describeTopics(present).allTopicNames()).compose(described -> {
        Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
        described.forEach((name, description) -> description.partitions()
            .forEach(p -> wanted.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        return vertxFuture(admin.listOffsets(wanted).all()).map(infos -> {
          Map<TopicPartition, Long> ends = new HashMap<>();
          infos.forEach((tp, info) -> ends.put(tp, info.offset()));
          return ends;
        });
      });
    });
  }

  /** The workers' committed offsets; a partition without one is absent. */
  public Future<Map<TopicPartition, Long>> committedOffsets() {
    return vertxFuture(admin.listConsumerGroupOffsets(topics.workerGroup()).partitionsToOffsetAndMetadata())
        .map(offsets -> {
          Map<TopicPartition, Long> committed = new HashMap<>();
          offsets.forEach((tp, meta) -> {
            if (meta != null) {
              committed.put(tp, ((OffsetAndMetadata) meta).offset());
            }
          });
          return committed;
        });
  }

  private <T> Future<T> vertxFuture(KafkaFuture<T> future) {
    return Future.fromCompletionStage(future.toCompletionStage(), vertx.getOrCreateContext());
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
