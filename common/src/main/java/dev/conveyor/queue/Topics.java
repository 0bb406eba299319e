package dev.conveyor.queue;

/** Kafka names, under the configured namespace: the jobs topic and the workers' consumer group. */
public record Topics(String namespace) {

  public String jobs() {
    return namespace + ".jobs";
  }

  public String workerGroup() {
    return namespace + ".workers";
  }
}
