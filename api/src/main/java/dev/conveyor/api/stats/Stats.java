package dev.conveyor.api.stats;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Times;
import dev.conveyor.store.JobStore;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tenant's figures as of {@code asOf}: its jobs per type and status, and per second of the window that starts at
 * {@code start}, the jobs submitted and finished ({@link #WINDOW_SECONDS} buckets, the last one still filling).
 */
record Stats(Instant asOf, List<JobStore.Count> counts, long start, List<JobStore.Second> seconds) {
  static final int WINDOW_SECONDS = 3_600;

  /** The answer of {@code GET /v1/stats}: every status and every second of the window present, zeros included. */
  ObjectNode toJson() {
    Map<JobStatus, Long> byStatus = zeros();
    Map<String, Map<JobStatus, Long>> byType = new TreeMap<>();
    for (JobStore.Count count : counts) {
      byStatus.merge(count.status(), count.count(), Long::sum);
      byType.computeIfAbsent(count.type(), t -> zeros()).merge(count.status(), count.count(), Long::sum);
    }
    ObjectNode body = Json.object().put("asOf", Times.format(asOf));
    put(body.putObject("byStatus"), byStatus);
    ArrayNode types = body.putArray("byType");
    byType.forEach((type, statuses) -> {
      ObjectNode item = types.addObject().put("type", type)
          .put("total", statuses.values().stream().mapToLong(Long::longValue).sum());
      put(item.putObject("byStatus"), statuses);
    });
    long[] submitted = new long[WINDOW_SECONDS];
    long[] finished = new long[WINDOW_SECONDS];
    for (JobStore.Second second : seconds) {
      int at = (int) (second.epochSecond() - start);
      if (at >= 0 && at < WINDOW_SECONDS) {
        submitted[at] = second.submitted();
        finished[at] = second.finished();
      }
    }
    ObjectNode throughput = body.putObject("throughput")
        .put("start", Times.format(Instant.ofEpochSecond(start))).put("intervalSeconds", 1);
    ArrayNode submittedArray = throughput.putArray("submitted");
    ArrayNode finishedArray = throughput.putArray("finished");
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      submittedArray.add(submitted[i]);
      finishedArray.add(finished[i]);
    }
    return body;
  }

  private static Map<JobStatus, Long> zeros() {
    Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
    for (JobStatus status : JobStatus.values()) {
      counts.put(status, 0L);
    }
    return counts;
  }

  private static void put(ObjectNode into, Map<JobStatus, Long> counts) {
    counts.forEach((status, count) -> into.put(status.wire(), count));
  }
}
