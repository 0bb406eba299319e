package dev.conveyor.queue;

import java.util.Collection;
import java.util.List;

/**
 * Kafka names, under the configured namespace: one topic per job type ({@code <namespace>.jobs.<type>}), so a record
 * reaches only workers that run its type, and the workers' consumer group.
 */
public record Topics(String namespace) {

  /**
   * The topic of a type. Kafka refuses two topics whose names differ only by '.' versus '_', and types may contain
   * both, so the type is written with '-' as an escape: '-' → "--", '.' → "-d", '_' → "-u".
   */
  public String forType(String type) {
    StringBuilder topic = new StringBuilder(namespace).append(".jobs.");
    for (char c : type.toCharArray()) {
      switch (c) {
        case '-' -> topic.append("--");
        case '.' -> topic.append("-d");
        case '_' -> topic.append("-u");
        default -> topic.append(c);
      }
    }
    return topic.toString();
  }

  public List<String> forTypes(Collection<String> types) {
    return types.stream().map(this::forType).toList();
  }

  public String workerGroup() {
    return namespace + ".workers";
  }
}
