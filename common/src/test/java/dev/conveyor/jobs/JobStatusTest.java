package dev.conveyor.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JobStatusTest {

  @Test
  void terminalStatesHaveNoWayOutButARetryOfAFailedOrCancelledJob() {
    for (JobStatus terminal : new JobStatus[] {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}) {
      assertTrue(terminal.terminal());
      for (JobStatus next : JobStatus.values()) {
        boolean retry = terminal != JobStatus.SUCCEEDED && next == JobStatus.QUEUED;
        assertEquals(retry, terminal.canMoveTo(next), terminal + " -> " + next);
      }
    }
    assertFalse(JobStatus.QUEUED.terminal());
    assertFalse(JobStatus.RUNNING.terminal());
  }

  @Test
  void queuedRunsOrIsCancelledAndRunningMayRetry() {
    assertTrue(JobStatus.QUEUED.canMoveTo(JobStatus.RUNNING));
    assertTrue(JobStatus.QUEUED.canMoveTo(JobStatus.CANCELLED));
    assertFalse(JobStatus.QUEUED.canMoveTo(JobStatus.SUCCEEDED));
    assertTrue(JobStatus.RUNNING.canMoveTo(JobStatus.QUEUED));
    assertTrue(JobStatus.RUNNING.canMoveTo(JobStatus.FAILED));
    assertFalse(JobStatus.RUNNING.canMoveTo(JobStatus.RUNNING));
  }

  @Test
  void wireNamesRoundTrip() {
    for (JobStatus status : JobStatus.values()) {
      assertEquals(status, JobStatus.fromWire(status.wire()));
    }
    assertEquals("running", JobStatus.RUNNING.wire());
  }
}
