package dev.conveyor.api.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.http.Problem;
import dev.conveyor.jobs.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobFieldsTest {
  private static ObjectNode representation() {
    return (ObjectNode) Json.parse("{\"id\":\"x\",\"type\":\"noop\",\"status\":\"queued\",\"payload\":{\"a\":1},"
        + "\"nextPollAfterMs\":100}");
  }

  private static List<String> names(ObjectNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void keepsTheNamedFieldsAndAlwaysTheId() {
    JobFields fields = JobFields.parse("status, payload");
    assertEquals(Set.of("id", "status", "payload"), fields.names());
    assertEquals(List.of("id", "status", "payload"), names(fields.select(representation())));
    assertEquals(List.of("id"), names(JobFields.parse("id").select(representation())));
  }

  @Test
  void noFieldsMeansAllAndAnAbsentFieldStaysAbsent() {
    assertEquals(names(representation()), names(JobFields.parse(null).select(representation())));
    assertEquals(List.of("id"), names(JobFields.parse("result").select(representation())));
  }

  @Test
  void anUnknownOrEmptyNameIsABadRequest() {
    for (String raw : List.of("bogus", "status,", "", "Status", "tenant", "status,,type")) {
      Problem problem = assertThrows(Problem.class, () -> JobFields.parse(raw), raw);
      assertEquals(400, problem.status());
      assertTrue(problem.getMessage().contains("fields"), problem.getMessage());
    }
  }
}
