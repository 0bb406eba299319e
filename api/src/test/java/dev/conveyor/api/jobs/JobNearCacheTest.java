package dev.conveyor.api.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobIds;
import dev.conveyor.jobs.JobStatus;
import dev.conveyor.jobs.Json;
import dev.conveyor.jobs.Priority;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JobNearCacheTest {
  private static Job job(UUID id, long version) {
    Instant now = Instant.now();
    return new Job(id, "t", "noop", JobStatus.RUNNING, Priority.NORMAL, Json.object(), null, 1, 3, null, null, null,
        now, now, now, null, null, null, false, version, null);
  }

  /** A source of reads that counts them and answers with the version it is set to. */
  private static final class Source {
    final AtomicInteger reads = new AtomicInteger();
    final UUID id = JobIds.next();
    long version = 1;

    Future<Optional<Job>> read() {
      reads.incrementAndGet();
      return Future.succeededFuture(Optional.of(job(id, version)));
    }
  }

  @Test
  void servesRepeatedReadsWithoutTheSourceUntilANoticeSaysTheJobChanged() {
    JobNearCache near = new JobNearCache();
    near.hearing(true);
    Source source = new Source();
    for (int i = 0; i < 5; i++) {
      assertEquals(1, near.get(source.id, source::read).result().orElseThrow().version());
    }
    assertEquals(1, source.reads.get());
    near.changed(source.id, 1);
    near.get(source.id, source::read);
    assertEquals(1, source.reads.get(), "a notice of the version it holds changes nothing");
    source.version = 2;
    near.changed(source.id, 2);
    assertEquals(2, near.get(source.id, source::read).result().orElseThrow().version());
    assertEquals(2, source.reads.get());
  }

  @Test
  void aReadInFlightWhenANoticeComesIsAnsweredButNotKept() {
    JobNearCache near = new JobNearCache();
    near.hearing(true);
    UUID id = JobIds.next();
    Promise<Optional<Job>> slow = Promise.promise();
    Future<Optional<Job>> first = near.get(id, slow::future);
    near.changed(id, 2);
    slow.complete(Optional.of(job(id, 1)));
    assertEquals(1, first.result().orElseThrow().version(), "the reader that asked gets what it read");
    AtomicInteger reads = new AtomicInteger();
    near.get(id, () -> {
      reads.incrementAndGet();
      return Future.succeededFuture(Optional.of(job(id, 2)));
    });
    assertEquals(1, reads.get(), "the spoiled read was not kept, so the next one goes to the source");
  }

  @Test
  void nothingIsServedWhileNoticesAreNotHeardNorAfterAGap() {
    JobNearCache near = new JobNearCache();
    Source source = new Source();
    near.get(source.id, source::read);
    near.get(source.id, source::read);
    assertEquals(2, source.reads.get(), "not hearing notices yet: every read goes to the source");
    near.hearing(true);
    near.get(source.id, source::read);
    near.get(source.id, source::read);
    assertEquals(3, source.reads.get());
    near.hearing(false);
    near.hearing(true);
    near.get(source.id, source::read);
    assertEquals(4, source.reads.get(), "notices may have been missed in the gap: the entry was dropped");
  }

  @Test
  void aJobNotFoundIsNotCachedAndFailuresAreNot() {
    JobNearCache near = new JobNearCache();
    near.hearing(true);
    UUID id = JobIds.next();
    AtomicInteger reads = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      near.get(id, () -> {
        reads.incrementAndGet();
        return Future.succeededFuture(Optional.empty());
      });
    }
    for (int i = 0; i < 2; i++) {
      assertTrue(near.get(id, () -> {
        reads.incrementAndGet();
        return Future.failedFuture("down");
      }).failed());
    }
    assertEquals(4, reads.get());
  }

  @Test
  void aJobOverItsWeightIsReadFromTheSourceEachTime() {
    JobNearCache near = new JobNearCache();
    near.hearing(true);
    UUID id = JobIds.next();
    Instant now = Instant.now();
    Job big = new Job(id, "t", "noop", JobStatus.SUCCEEDED, Priority.NORMAL, Json.object().put("x", "a".repeat(20_000)),
        null, 1, 3, null, null, null, now, now, now, now, Json.object(), null, false, 3, null);
    AtomicInteger reads = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      near.get(id, () -> {
        reads.incrementAndGet();
        return Future.succeededFuture(Optional.of(big));
      });
    }
    assertEquals(3, reads.get());
    assertTrue(JobNearCache.weight(big.payload(), Long.MAX_VALUE) > 20_000);
  }
}
