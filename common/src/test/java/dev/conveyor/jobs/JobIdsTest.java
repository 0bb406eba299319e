package dev.conveyor.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {

  @Test
  void idsAreCanonicalVersion7AndTimeOrdered() throws InterruptedException {
    UUID first = JobIds.next();
    Thread.sleep(2);
    UUID second = JobIds.next();
    assertEquals(7, first.version());
    assertEquals(2, first.variant());
    assertTrue(first.toString().compareTo(second.toString()) < 0, first + " before " + second);
    assertEquals(first, JobIds.parse(first.toString()).orElseThrow());
  }

  @Test
  void onlyTheCanonicalLowerCaseV7FormParses() {
    assertTrue(JobIds.parse("019374c2-6d1e-7cc0-9a8e-3f0b5d1e2a44").isPresent());
    assertTrue(JobIds.parse("019374C2-6D1E-7CC0-9A8E-3F0B5D1E2A44").isEmpty());
    assertTrue(JobIds.parse("019374c2-6d1e-4cc0-9a8e-3f0b5d1e2a44").isEmpty(), "version 4");
    assertTrue(JobIds.parse("019374c26d1e7cc09a8e3f0b5d1e2a44").isEmpty());
    assertTrue(JobIds.parse("not-an-id").isEmpty());
    assertTrue(JobIds.parse(null).isEmpty());
  }
}
