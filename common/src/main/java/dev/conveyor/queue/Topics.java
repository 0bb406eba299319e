package dev.conveyor.queue;

import dev.conveyor.jobs.Priority;
import java.util.Collection;
import java.util.List;

/**
 * Kafka names, under the configured namespace: one topic per queue of each job type, so a record reaches only workers
 * that run its type, and those take its priorities and lanes apart; and the workers' consumer group. A type's normal
 * fresh queue is {@code <namespace>.jobs.<type>}; its other queues add {@code .high} or {@code .low}, then
 * {@code .backlog}.
 */
public record Topics(String namespace) {

  /**
   * The topic of a type's normal fresh queue. Kafka refuses two topics whose names differ only by '.' versus '_', and
   * types may contain both, so the type is written with '-' as an escape: '-' → "--", '.' → "-d", '_' → "-u". The
   * escaped type has no '.', so the suffixes of the other queues cannot collide with another type's name.
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

  public String forQueue(JobQueue queue) {
    String topic = forType(queue.type());
    if (queue.priority() != Priority.NORMAL) {
      topic += "." + queue.priority().wire();
    }
    return queue.backlog() ? topic + ".backlog" : topic;
  }

  /** Every topic of these types: all their queues. */
  public List<String> forTypes(Collection<String> types) {
    return types.stream().flatMap(type -> JobQueue.of(type).stream()).map(this::forQueue).toList();
  }

  public String workerGroup() {
    return namespace + ".workers";
  }
}
