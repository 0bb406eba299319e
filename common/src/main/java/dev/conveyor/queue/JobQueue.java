package dev.conveyor.queue;

import dev.conveyor.jobs.Priority;
import java.util.ArrayList;
import java.util.List;

/**
 * One queue of a job type: its jobs of one priority, in one lane. The backlog lane holds the jobs a tenant submitted
 * while it already had a backlog, so that they wait behind other tenants' fresh jobs rather than in front of them.
 * Each queue is a topic of its own, so workers can take from the queues in the order the scheduling rules ask.
 */
public record JobQueue(String type, Priority priority, boolean backlog) {

  /** The queues of a type, highest priority first, the fresh lane before the backlog lane. */
  public static List<JobQueue> of(String type) {
    List<JobQueue> queues = new ArrayList<>(Priority.values().length * 2);
    for (Priority priority : Priority.values()) {
      queues.add(new JobQueue(type, priority, false));
      queues.add(new JobQueue(type, priority, true));
    }
    return queues;
  }
}
