package dev.conveyor.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.jobs.Job;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Hot job states in this API process, so that a status read needs no I/O. Every change of a job is announced on the
 * change channel this process already hears; a notice drops the entry (and spoils a read still in flight), so a read
 * is stale only for as long as a notice takes to arrive: milliseconds. While the channel is not heard, nothing is
 * served from here, and whatever was cached is dropped when it is lost and when it is back, since notices may have
 * been missed. An entry also ages out, as a last guard against a notice lost without the channel noticing.
 * Bounded in entries and in the heap its payloads and results take (a job over 16 KiB is not kept); past either
 * bound it starts afresh.
 */
public final class JobNearCache {
  private static final int MAX_ENTRIES = 50_000;
  /** Heap for payloads and results, counted at a few bytes a node beyond their text; sized for a 160 MiB heap. */
  private static final long MAX_BYTES = 16L << 20;
  /** A job weighing more is read from Redis each time: big results are rarely polled for long. */
  private static final long MAX_JOB_BYTES = 16L << 10;
  private static final long ACTIVE_MAX_AGE_MS = 2_000;
  private static final long TERMINAL_MAX_AGE_MS = 60_000;

  /** A cached job, or a read in flight ({@code job} null) that a notice may spoil before it lands. */
  private static final class Entry {
    final Job job;
    final long expiresAt;
    final long bytes;
    volatile boolean spoiled;

    Entry(Job job, long expiresAt, long bytes) {
      this.job = job;
      this.expiresAt = expiresAt;
      this.bytes = bytes;
    }
  }

  private final ConcurrentHashMap<UUID, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();
  private volatile boolean hearing;

  /**
   * The job from here if it is cached and notices are heard, else from {@code load}, whose answer is kept unless a
   * notice for the job came while it was read.
   */
  public Future<Optional<Job>> get(UUID id, Supplier<Future<Optional<Job>>> load) {
    if (!hearing) {
      return load.get();
    }
    Entry entry = entries.get(id);
    if (entry != null && entry.job != null && !entry.spoiled && entry.expiresAt > System.currentTimeMillis()) {
      return Future.succeededFuture(Optional.of(entry.job));
    }
    Entry reading = new Entry(null, 0, 0);
    entries.compute(id, (key, replaced) -> {
      if (replaced != null && replaced.job != null) {
        bytes.addAndGet(-replaced.bytes);
      }
      return reading;
    });
    return load.get().onSuccess(found -> {
      if (found.isPresent() && !reading.spoiled) {
        keep(id, reading, found.get());
      } else {
        entries.remove(id, reading);
      }
    }).onFailure(err -> entries.remove(id, reading));
  }

  /** A job changed (to {@code version}): its entry, or a read of it in flight, must not be served. */
  public void changed(UUID id, long version) {
    entries.computeIfPresent(id, (key, entry) -> {
      if (entry.job != null && entry.job.version() >= version) {
        return entry;
      }
      entry.spoiled = true;
      if (entry.job == null) {
        return entry;
      }
      bytes.addAndGet(-entry.bytes);
      return null;
    });
  }

  /**
   * Whether change notices are heard from now on. Either way, notices may have been missed before: nothing cached
   * so far may be served.
   */
  public void hearing(boolean heard) {
    hearing = heard;
    clear();
  }

  private void clear() {
    entries.values().forEach(entry -> entry.spoiled = true);
    entries.clear();
    bytes.set(0);
  }

  /** About what a JSON tree holds on the heap, counted no further than just past {@code limit}. */
  static long weight(JsonNode node, long limit) {
    long total = 0;
    java.util.ArrayDeque<JsonNode> left = new java.util.ArrayDeque<>();
    left.push(node);
    while (!left.isEmpty() && total <= limit) {
      JsonNode next = left.pop();
      total += 16;
      if (next.isTextual()) {
        total += 2L * next.textValue().length();
      } else if (next.isObject()) {
        java.util.Iterator<java.util.Map.Entry<String, JsonNode>> fields = next.fields();
        while (fields.hasNext()) {
          java.util.Map.Entry<String, JsonNode> field = fields.next();
          total += 16 + 2L * field.getKey().length();
          left.push(field.getValue());
        }
      } else {
        next.forEach(left::push);
      }
    }
    return total;
  }

  private void keep(UUID id, Entry reading, Job job) {
    long size = 512 + weight(job.payload(), MAX_JOB_BYTES)
        + (job.result() == null ? 0 : weight(job.result(), MAX_JOB_BYTES));
    if (size > MAX_JOB_BYTES) {
      entries.remove(id, reading);
      return;
    }
    if (entries.size() >= MAX_ENTRIES || bytes.get() + size > MAX_BYTES) {
      clear();
      return;
    }
    long maxAge = job.status().terminal() ? TERMINAL_MAX_AGE_MS : ACTIVE_MAX_AGE_MS;
    Entry kept = new Entry(job, System.currentTimeMillis() + maxAge, size);
    // Atomic with changed(): a notice either spoils the read before this, or drops what this keeps.
    entries.computeIfPresent(id, (key, entry) -> {
      if (entry != reading) {
        return entry;
      }
      if (reading.spoiled) {
        return null;
      }
      bytes.addAndGet(size);
      return kept;
    });
  }
}
