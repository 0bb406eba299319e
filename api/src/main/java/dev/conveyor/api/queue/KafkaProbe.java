package dev.conveyor.api.queue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Asks the Kafka cluster whether it answers, for the readiness check. */
public final class KafkaProbe implements AutoCloseable {
  private static final int TIMEOUT_MS = 2_000;
  private final Vertx vertx;
  private final Admin admin;

  public KafkaProbe(Vertx vertx, String bootstrap) {
    this.vertx = vertx;
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS));
  }

  public Future<Void> check() {
    return Future.fromCompletionStage(admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS))
            .clusterId().toCompletionStage(), vertx.getOrCreateContext())
        .mapEmpty();
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
