package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_BETA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A tenant sees only its own jobs; another's, an unknown and a malformed id all answer the same 404. */
@ExtendWith(TestStack.class)
class TenantIsolationIT {

  @Test
  void anotherTenantsJobIsNotFound() {
    String id = Http.submitted(KEY_ALPHA, "{\"type\":\"noop\"}");
    assertEquals(200, Http.get("/v1/jobs/" + id, KEY_ALPHA).statusCode());
    assertProblem(Http.get("/v1/jobs/" + id, KEY_BETA), 404);
    Http.awaitTerminal(KEY_ALPHA, id);
    assertProblem(Http.get("/v1/jobs/" + id, KEY_BETA), 404);
  }

  @Test
  void unknownAndMalformedIdsAreNotFound() {
    assertProblem(Http.get("/v1/jobs/019374c2-6d1e-7cc0-9a8e-3f0b5d1e2a44", KEY_ALPHA), 404);
    assertProblem(Http.get("/v1/jobs/not-a-uuid", KEY_ALPHA), 404);
    assertProblem(Http.get("/v1/jobs/019374C2-6D1E-7CC0-9A8E-3F0B5D1E2A44", KEY_ALPHA), 404);
    assertProblem(Http.get("/v1/jobs/" + "9".repeat(500), KEY_ALPHA), 404);
  }

  @Test
  void unknownRoutesArePlainProblems() {
    assertProblem(Http.get("/v1/nothing-here", KEY_ALPHA), 404);
    assertProblem(Http.get("/nothing-here", null), 404);
  }
}
