package dev.conveyor.deploy;

import dev.conveyor.config.Logging;
import java.nio.file.Path;

/** Runs the local Kafka broker alone, on the port of {@code CONVEYOR_KAFKA_BOOTSTRAP}, until interrupted. */
public final class KafkaMain {
  private KafkaMain() {
  }

  public static void main(String[] args) throws Exception {
    Logging.configure();
    int port = LocalStack.kafkaPort(System.getenv().getOrDefault("CONVEYOR_KAFKA_BOOTSTRAP", "127.0.0.1:9092"));
    KafkaBroker broker = KafkaBroker.start(Path.of(".conveyor", "kafka"), port, "512m", null);
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-shutdown"));
    System.out.println("Kafka broker ready at " + broker.bootstrap() + " (data in .conveyor/kafka). Ctrl-C stops it.");
    while (broker.alive()) {
      Thread.sleep(1000);
    }
  }
}
