package dev.conveyor.client;

/** How {@link ConveyorClient#await} learns that a job ended. */
public enum AwaitMode {
  /** GETs spaced as each answer's Poll-After-Ms says. */
  HINTS,
  /** GETs held by the server until the job ends (or 30 s pass), one after another. */
  LONG_POLL,
  /** The job's server-sent events, reconnecting (with Last-Event-ID) if the stream breaks. */
  EVENTS
}
