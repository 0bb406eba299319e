package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.Http.get;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.PollingIT.FAR_FUTURE;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static dev.conveyor.it.TestStack.KEY_DELTA;
import static dev.conveyor.it.TestStack.KEY_GAMMA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Listing (filters, keyset pages stable under inserts, tenant scope) and the job-types summary. */
@ExtendWith(TestStack.class)
class QueriesIT {
  private static final List<String> finished = new ArrayList<>();
  private static final List<String> waiting = new ArrayList<>();

  @BeforeAll
  static void someJobsOfTenantDelta() {
    for (int i = 0; i < 5; i++) {
      finished.add(submitted(KEY_DELTA, "{\"type\":\"noop\",\"payload\":{\"i\":" + i + "}}"));
    }
    for (int i = 0; i < 3; i++) {
      waiting.add(submitted(KEY_DELTA, "{\"type\":\"noop\"," + FAR_FUTURE + "}"));
    }
    finished.forEach(id -> Http.awaitTerminal(KEY_DELTA, id));
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(item -> ids.add(item.get("id").asText()));
    return ids;
  }

  @Test
  void pagesCoverEveryJobNewestFirstEvenWhileJobsAreAdded() {
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page = json(get("/v1/jobs?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), KEY_DELTA));
      seen.addAll(ids(page));
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
      submitted(KEY_DELTA, "{\"type\":\"fail\",\"payload\":{\"times\":0}}");
      pages++;
    } while (cursor != null && pages < 20);
    Set<String> expected = new HashSet<>(finished);
    expected.addAll(waiting);
    assertTrue(seen.containsAll(expected), "every job listed once");
    assertEquals(seen.size(), new HashSet<>(seen).size(), "no job listed twice");
    List<String> sorted = new ArrayList<>(seen);
    sorted.sort((a, b) -> b.compareTo(a));
    assertEquals(sorted, seen, "newest first");
  }

  @Test
  void filtersByStatusAndType() {
    JsonNode queued = json(get("/v1/jobs?status=queued&type=noop", KEY_DELTA));
    assertEquals(new HashSet<>(waiting), new HashSet<>(ids(queued)));
    queued.get("items").forEach(item -> assertTrue(item.has("nextPollAfterMs")));
    JsonNode both = json(get("/v1/jobs?status=queued,succeeded&limit=200", KEY_DELTA));
    assertTrue(ids(both).containsAll(finished) && ids(both).containsAll(waiting));
    assertTrue(ids(json(get("/v1/jobs?type=sleep", KEY_DELTA))).isEmpty());
    JsonNode defaultPage = json(get("/v1/jobs", KEY_DELTA));
    assertTrue(defaultPage.get("items").size() <= 50);
  }

  @Test
  void listsOnlyTheCallersJobs() {
    List<String> alpha = ids(json(get("/v1/jobs?limit=200", KEY_ALPHA)));
    for (String id : finished) {
      assertFalse(alpha.contains(id));
    }
    assertTrue(ids(json(get("/v1/jobs", KEY_GAMMA))).isEmpty());
  }

  @Test
  void badParametersAre400() {
    for (String query : List.of("status=bogus", "status=queued,", "limit=0", "limit=201", "limit=abc", "limit=1.5",
        "cursor=!!!", "cursor=abc", "type=Bad", "limit=1&limit=2")) {
      assertProblem(get("/v1/jobs?" + query, KEY_DELTA), 400);
    }
  }

  @Test
  void jobTypesCountTheCallersJobsAndReportDurations() {
    JsonNode types = json(get("/v1/job-types", KEY_DELTA));
    List<String> names = new ArrayList<>();
    types.get("items").forEach(item -> names.add(item.get("type").asText()));
    assertTrue(names.containsAll(List.of("fail", "hash", "noop", "sleep")), names.toString());
    for (JsonNode item : types.get("items")) {
      if (item.get("type").asText().equals("noop")) {
        assertEquals(3, item.get("queued").asInt());
        assertEquals(0, item.get("running").asInt());
        long p50 = item.get("durationMs").get("p50").asLong();
        long p95 = item.get("durationMs").get("p95").asLong();
        assertTrue(p50 >= 0 && p95 >= p50, p50 + " / " + p95);
      }
    }
    json(get("/v1/job-types", KEY_GAMMA)).get("items").forEach(item -> {
      assertEquals(0, item.get("queued").asInt(), "another tenant's jobs are not counted");
      assertEquals(0, item.get("running").asInt());
    });
  }
}
