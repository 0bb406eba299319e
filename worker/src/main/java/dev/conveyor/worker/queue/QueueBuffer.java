package dev.conveyor.worker.queue;

import dev.conveyor.queue.QueueOrder;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One queue's records read ahead, in order per partition, handed out first come first across its partitions (by
 * {@link QueueOrder}: when each job was due). A queue's jobs are spread over its partitions, and a poll returns a
 * fetched chunk of one partition after another, so taking them as read would start jobs in partition order: behind
 * a backlog, a job queued last could start a second before jobs queued ahead of it. Not thread-safe: the consumer's
 * thread owns it.
 */
final class QueueBuffer {
  /** A record and its place in the queue, read once. */
  private record Placed(ConsumerRecord<String, String> record, long place) {
    static Placed of(ConsumerRecord<String, String> record) {
      return new Placed(record, QueueOrder.of(record));
    }
  }

  private final Map<Integer, ArrayDeque<Placed>> partitions = new LinkedHashMap<>();
  private int size;

  void addLast(ConsumerRecord<String, String> record) {
    partition(record.partition()).addLast(Placed.of(record));
    size++;
  }

  /** Puts a record handed out back at the head of its partition, to be the next of it again. */
  void addFirst(ConsumerRecord<String, String> record) {
    partition(record.partition()).addFirst(Placed.of(record));
    size++;
  }

  /** The first queued of the partitions' first records (the first partition read on a tie), taken out; null if none. */
  ConsumerRecord<String, String> pollFirstQueued() {
    ArrayDeque<Placed> first = null;
    for (ArrayDeque<Placed> records : partitions.values()) {
      if (!records.isEmpty() && (first == null || records.peekFirst().place() < first.peekFirst().place())) {
        first = records;
      }
    }
    if (first == null) {
      return null;
    }
    size--;
    return first.pollFirst().record();
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size(int partition) {
    ArrayDeque<Placed> records = partitions.get(partition);
    return records == null ? 0 : records.size();
  }

  /** Drops the records of these partitions (this worker no longer has them). */
  void forget(Collection<Integer> gone) {
    partitions.keySet().removeAll(gone);
    size = partitions.values().stream().mapToInt(ArrayDeque::size).sum();
  }

  void clear() {
    partitions.clear();
    size = 0;
  }

  private ArrayDeque<Placed> partition(int partition) {
    return partitions.computeIfAbsent(partition, p -> new ArrayDeque<>());
  }
}
