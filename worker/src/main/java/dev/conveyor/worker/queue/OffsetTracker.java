package dev.conveyor.worker.queue;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.Collection;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Per-partition bookkeeping of records in flight. Records finish out of order; the committable offset of a
 * partition is the lowest offset still in flight, or one past the highest seen when none is. Not thread-safe:
 * the consumer thread owns it.
 */
public final class OffsetTracker {
  private static final class Partition {
    final TreeSet<Long> inFlight = new TreeSet<>();
    long next = -1;
    long committed = -1;
  }

  private final Map<TopicPartition, Partition> partitions = new HashMap<>();

  public void begin(TopicPartition tp, long offset) {
    Partition p = partitions.computeIfAbsent(tp, k -> new Partition());
    p.inFlight.add(offset);
    p.next = Math.max(p.next, offset + 1);
  }

  /** Marks a record done; ignored if its partition was forgotten (revoked) meanwhile. */
  public void complete(TopicPartition tp, long offset) {
    Partition p = partitions.get(tp);
    if (p != null) {
      p.inFlight.remove(offset);
    }
  }

  /**
   * The partition's bookkeeping as an opaque token: a new one once the partition is forgotten and begun again, so
   * that work begun before tells itself from work begun after. Null for a partition not tracked.
   */
  public Object epoch(TopicPartition tp) {
    return partitions.get(tp);
  }

  /** Offsets that moved since the last call, ready to commit. */
  public Map<TopicPartition, OffsetAndMetadata> committable() {
    return collect(tp -> true);
  }

  /** Committable offsets of some partitions only, e.g. those being revoked. */
  public Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> only) {
    return collect(only::contains);
  }

  private Map<TopicPartition, OffsetAndMetadata> collect(Predicate<TopicPartition> wanted) {
    Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
    partitions.forEach((tp, p) -> {
      long offset = p.inFlight.isEmpty() ? p.next : p.inFlight.first();
      if (offset > p.committed && wanted.test(tp)) {
        result.put(tp, new OffsetAndMetadata(offset));
        p.committed = offset;
      }
    });
    return result;
  }

  public void forget(Collection<TopicPartition> revoked) {
    revoked.forEach(partitions::remove);
  }

  public int inFlight() {
    return partitions.values().stream().mapToInt(p -> p.inFlight.size()).sum();
  }
}
