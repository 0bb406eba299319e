package dev.conveyor.worker.run;

import java.util.concurrent.TimeUnit;

/**
 * When, on the heartbeat's ticks, a beat is due and the leases are at risk or about to run out, from the time since
 * the last beat was sent or renewed the leases. A threshold rarely falls on a tick: a beat goes at the nearest one,
 * and the leases are at risk from the last tick before their threshold (ticks come late, never early, and a handler
 * needs its stop time). They run out a beat (at most 2 s) before the lease ends, so the first tick past that is still
 * well inside the lease.
 *
 * @param tickNs how often the heartbeat looks
 * @param atRiskNs handlers are stopped when no beat has renewed the leases for about this long
 * @param runningOutNs a handler that still runs this long after the last renewal ends the process
 */
record LeaseDeadlines(long tickNs, long beatNs, long atRiskNs, long runningOutNs) {

  /**
   * @param handlerStopMs how long a handler may take to return once told to stop: the leases are at risk that long
   *     before they run out, and not before half a lease (less at most a tick)
   */
  static LeaseDeadlines of(long leaseMs, long beatMs, long handlerStopMs) {
    // Four ticks a beat or more, so that "at risk" and "running out" land ticks apart even when the lease is short.
    long tickMs = Math.max(50, Math.min(1_000, beatMs / 4));
    long runningOutMs = leaseMs - Math.min(2_000, beatMs);
    long atRiskMs = Math.max(leaseMs / 2, runningOutMs - handlerStopMs);
    return new LeaseDeadlines(ms(tickMs), ms(beatMs), ms(atRiskMs), ms(runningOutMs));
  }

  long tickMs() {
    return TimeUnit.NANOSECONDS.toMillis(tickNs);
  }

  boolean beatDue(long sinceSentNs) {
    return sinceSentNs + tickNs / 2 >= beatNs;
  }

  boolean atRisk(long sinceRenewedNs) {
    return sinceRenewedNs + tickNs > atRiskNs;
  }

  boolean runningOut(long sinceRenewedNs) {
    return sinceRenewedNs > runningOutNs;
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
