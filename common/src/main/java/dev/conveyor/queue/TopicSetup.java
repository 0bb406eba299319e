package dev.conveyor.queue;

import dev.conveyor.store.InfraUnavailable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Checks that Kafka answers and creates Conveyor's topics if they are missing. */
public final class TopicSetup {
  private static final int TIMEOUT_MS = 15_000;

  private TopicSetup() {
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

  public static Future<Void> ensure(Vertx vertx, String bootstrap, Topics topics, int partitions) {
    return vertx.executeBlocking(() -> {
      probe(bootstrap);
      try (Admin admin = Admin.create(Map.of(
          AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
          AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS))) {
        admin.describeCluster().clusterId().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (!admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).contains(topics.jobs())) {
          try {
            admin.createTopics(List.of(new NewTopic(topics.jobs(), Optional.of(partitions), Optional.empty())))
                .all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw e;
            }
          }
        }
        return null;
      } catch (Exception e) {
        throw new InfraUnavailable("Kafka at " + bootstrap + " is not usable: " + e
            + ". Start the broker (deploy/conveyor-kafka) or point CONVEYOR_KAFKA_BOOTSTRAP at a running one.", e);
      }
    }, false);
  }
}
