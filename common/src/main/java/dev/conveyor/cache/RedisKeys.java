package dev.conveyor.cache;

import java.util.UUID;

/** Every Redis key and channel Conveyor uses, under the configured namespace. */
public record RedisKeys(String namespace) {

  /** Hash of the cached job: {@code v} its version, {@code j} its cache JSON. */
  public String job(UUID id) {
    return namespace + ":job:" + id;
  }

  /** A SCAN pattern matching every cached job of the namespace. */
  public String allJobs() {
    return namespace + ":job:*";
  }

  /** Pub/sub channel announcing every job change as {@code <id> <version>}. */
  public String jobChanges() {
    return namespace + ":job-changes";
  }

  /** Token bucket of a tenant's request rate: {@code tokens} and {@code at} (ms). */
  public String rateBucket(String tenant) {
    return namespace + ":rate:" + tenant;
  }

  /** Pub/sub channel telling workers that a running job was asked to stop, as {@code <id>}. */
  public String jobCancels() {
    return namespace + ":job-cancels";
  }
}
