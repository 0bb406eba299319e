package dev.conveyor.jobs;

/** The last failure of a job: a stable machine code and a human message. */
public record JobError(String code, String message) {
}
