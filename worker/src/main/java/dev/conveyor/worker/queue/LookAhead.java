package dev.conveyor.worker.queue;

import dev.conveyor.jobs.Priority;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The records a worker has read ahead of its free slots, a bounded buffer per queue, and the choice of which starts
 * next. Priorities first: {@code high}, then {@code normal}, then {@code low}, except that a priority with records
 * waiting gets at least one start in {@link #SHARE} while higher ones have records too. Within a priority the fresh
 * lane goes before the backlog lane on the same terms, and types take turns; within a queue, the first queued of
 * the records at the head of each partition goes first ({@link QueueBuffer}). A type with a concurrency limit starts
 * no more jobs here than its limit, and after a claim found no room in the cluster it waits about
 * {@link #LIMIT_RETRY_MS} (half to one and a half times it, at random), or until one of its jobs here ends, before
 * the next try; its records meanwhile wait here, holding no slot. Not thread-safe: the consumer's thread owns it.
 */
final class LookAhead {
  /** A lower priority (or the backlog lane) gets at least one start in this many while it waits. */
  static final int SHARE = 10;
  static final long LIMIT_RETRY_MS = 250;

  private final Map<String, JobQueue> queueOfTopic = new HashMap<>();
  private final Map<JobQueue, QueueBuffer> buffers = new LinkedHashMap<>();
  private final int perQueue;
  private final Map<String, Integer> typeLimits;
  private final Map<String, Integer> startedOfType = new HashMap<>();
  private final Map<String, Long> typeWaitsUntil = new HashMap<>();
  private final TurnTaking<Priority> priorities = new TurnTaking<>(SHARE);
  private final Map<Priority, TurnTaking<Boolean>> lanes = new EnumMap<>(Priority.class);
  /** Per priority and lane, where the types' turns got to. */
  private final long[][] rotation = new long[Priority.values().length][2];
  private final RandomGenerator random;
  private int size;

  /** @param random spreads the retries of a limited type, so that workers do not all try at once */
  LookAhead(Topics topics, Collection<String> types, int perQueue, Map<String, Integer> typeLimits,
      RandomGenerator random) {
    this.perQueue = perQueue;
    this.typeLimits = typeLimits;
    this.random = random;
    for (String type : types) {
      for (JobQueue queue : JobQueue.of(type)) {
        queueOfTopic.put(topics.forQueue(queue), queue);
      }
    }
    // Buffers in rank order (priority, then lane, then type), which next() relies on.
    queueOfTopic.values().stream()
        .sorted(Comparator.comparing(JobQueue::priority).thenComparing(JobQueue::backlog)
            .thenComparing(JobQueue::type))
        .forEach(queue -> buffers.put(queue, new QueueBuffer()));
    for (Priority priority : Priority.values()) {
      lanes.put(priority, new TurnTaking<>(SHARE));
    }
  }

  void add(ConsumerRecord<String, String> record) {
    buffer(record).addLast(record);
    size++;
  }

  /** A record whose job found no room under its type's limit: first of its partition again, and its type waits. */
  void overLimit(ConsumerRecord<String, String> record, long now) {
    buffer(record).addFirst(record);
    size++;
    String type = queueOfTopic.get(record.topic()).type();
    typeWaitsUntil.put(type, now + LIMIT_RETRY_MS / 2 + random.nextLong(LIMIT_RETRY_MS));
  }

  /**
   * The work on a record that next() handed out is over here: its type may start another. {@code ran}: its job was
   * claimed (and its outcome is written now), so the cluster has room again, and the type need not wait.
   */
  void ended(ConsumerRecord<String, String> record, boolean ran) {
    String type = queueOfTopic.get(record.topic()).type();
    if (typeLimits.containsKey(type)) {
      startedOfType.merge(type, -1, Integer::sum);
      if (ran) {
        typeWaitsUntil.remove(type);
      }
    }
  }

  /** The record to start next, taken out of its buffer; null if none may start now. */
  ConsumerRecord<String, String> next(long now) {
    List<JobQueue> startable = new ArrayList<>();
    buffers.forEach((queue, buffer) -> {
      if (!buffer.isEmpty() && mayStart(queue.type(), now)) {
        startable.add(queue);
      }
    });
    if (startable.isEmpty()) {
      return null;
    }
    Priority priority = priorities.next(startable.stream().map(JobQueue::priority).distinct().toList());
    List<Boolean> lanesWaiting = startable.stream().filter(q -> q.priority() == priority).map(JobQueue::backlog)
        .distinct().toList();
    boolean backlog = lanes.get(priority).next(lanesWaiting);
    List<JobQueue> candidates = startable.stream()
        .filter(q -> q.priority() == priority && q.backlog() == backlog).toList();
    JobQueue chosen = candidates.get((int) (rotation[priority.ordinal()][backlog ? 1 : 0]++ % candidates.size()));
    ConsumerRecord<String, String> record = buffers.get(chosen).pollFirstQueued();
    size--;
    if (typeLimits.containsKey(chosen.type())) {
      startedOfType.merge(chosen.type(), 1, Integer::sum);
    }
    return record;
  }

  /** When the next limited type that waits may try again, after {@code now}; Long.MAX_VALUE if none waits. */
  long nextRetryAt(long now) {
    typeWaitsUntil.values().removeIf(at -> at <= now);
    long next = Long.MAX_VALUE;
    for (long at : typeWaitsUntil.values()) {
      next = Math.min(next, at);
    }
    return next;
  }

  private boolean mayStart(String type, long now) {
    Integer limit = typeLimits.get(type);
    return limit == null || (startedOfType.getOrDefault(type, 0) < limit
        && typeWaitsUntil.getOrDefault(type, Long.MIN_VALUE) <= now);
  }

  /**
   * The partitions to pause, of those {@code assigned}, given those paused now: a partition holding its share of its
   * queue's read-ahead, until it is down to half of it. Paused one by one, every partition of a queue keeps a few
   * records read ahead, so that the oldest of them can start first. A resumed partition costs a fetch, so it is not
   * resumed for a record or two.
   */
  Set<TopicPartition> partitionsToPause(Collection<TopicPartition> assigned, Set<TopicPartition> paused) {
    Map<String, Long> partitionsOfTopic = assigned.stream()
        .collect(Collectors.groupingBy(TopicPartition::topic, Collectors.counting()));
    return assigned.stream().filter(tp -> {
      JobQueue queue = queueOfTopic.get(tp.topic());
      if (queue == null) {
        return false;
      }
      int share = (int) Math.max(2, perQueue / partitionsOfTopic.get(tp.topic()));
      int buffered = buffers.get(queue).size(tp.partition());
      return buffered >= share || (paused.contains(tp) && buffered > share / 2);
    }).collect(Collectors.toSet());
  }

  /** Drops the records of partitions this worker no longer has. */
  void forget(Collection<TopicPartition> gone) {
    Map<String, List<Integer>> goneOfTopic = gone.stream().collect(Collectors.groupingBy(TopicPartition::topic,
        Collectors.mapping(TopicPartition::partition, Collectors.toList())));
    goneOfTopic.forEach((topic, partitions) -> {
      JobQueue queue = queueOfTopic.get(topic);
      if (queue != null) {
        buffers.get(queue).forget(partitions);
      }
    });
    size = buffers.values().stream().mapToInt(QueueBuffer::size).sum();
  }

  void clear() {
    buffers.values().forEach(QueueBuffer::clear);
    size = 0;
  }

  int size() {
    return size;
  }

  private QueueBuffer buffer(ConsumerRecord<String, String> record) {
    JobQueue queue = queueOfTopic.get(record.topic());
    if (queue == null) {
      throw new IllegalArgumentException("not a topic of this worker's types: " + record.topic());
    }
    return buffers.get(queue);
  }
}
