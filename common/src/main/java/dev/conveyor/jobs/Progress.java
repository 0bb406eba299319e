package dev.conveyor.jobs;

/** How far the current attempt has come, as its handler last reported. */
public record Progress(int percent, String message) {
}
