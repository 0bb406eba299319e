package dev.conveyor.deploy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The Conveyor the polling benchmark measures: the stack it starts itself, or one already running, named by its
 * URL and an API key (by default the key {@code deploy/conveyor-local} made). The API's CPU is read from /proc, so
 * only for a process of this machine: its own API, or the one {@code --api-pid} names.
 */
record PollingTarget(String baseUrl, String key, OptionalLong apiPid, Runnable checkAlive) {
  /** Where {@code deploy/conveyor-local} keeps the key it made. */
  static final Path LOCAL_KEY = Path.of(".conveyor", "local-api-key");

  static PollingTarget of(Stack stack) {
    return new PollingTarget("http://127.0.0.1:" + stack.apiPort(), stack.key(), OptionalLong.of(stack.api().pid()),
        stack::checkAlive);
  }

  /** A running Conveyor; {@code key} null for the local stack's. */
  static PollingTarget running(String url, String key, OptionalLong apiPid) throws IOException {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    if (key == null && !Files.exists(LOCAL_KEY)) {
      throw new IllegalArgumentException("--url needs --key, or the key deploy/conveyor-local keeps in " + LOCAL_KEY);
    }
    return new PollingTarget(base, key != null ? key : Files.readString(LOCAL_KEY).trim(), apiPid, () -> { });
  }

  /** The API process's CPU ticks so far; empty when not known. */
  OptionalLong apiTicks() {
    return apiPid.isPresent() ? ProcessCpu.cpuTicks(apiPid.getAsLong()) : OptionalLong.empty();
  }
}
