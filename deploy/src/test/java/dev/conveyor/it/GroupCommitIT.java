package dev.conveyor.it;

import static dev.conveyor.it.PollingIT.FAR_FUTURE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Concurrent submits share transactions, yet each answer is its own: one refused value refuses only its request. */
@ExtendWith(TestStack.class)
class GroupCommitIT {

  @Test
  void aValuePostgresqlRefusesInOneOfManyConcurrentSubmitsRefusesThatOneOnly() throws Exception {
    String marker = "group-" + System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String payload = i == 30 ? "{\"m\":\"" + marker + "\",\"n\":1e1000000}" : "{\"m\":\"" + marker + "\",\"i\":" + i + "}";
      answers.add(Http.CLIENT.sendAsync(Http.request("/v1/jobs", TestStack.KEY_ALPHA)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"," + FAR_FUTURE + ",\"payload\":" + payload
              + "}")).build(), HttpResponse.BodyHandlers.ofString()));
    }
    int accepted = 0;
    for (int i = 0; i < answers.size(); i++) {
      HttpResponse<String> answer = answers.get(i).get();
      if (i == 30) {
        assertEquals(422, answer.statusCode(), answer.body());
      } else {
        assertEquals(202, answer.statusCode(), answer.body());
        accepted++;
      }
    }
    assertEquals((long) accepted, TestStack.sql("SELECT count(*) FROM jobs WHERE payload->>'m' = $1", marker).iterator()
        .next().getLong(0), "every accepted job is stored, and nothing of the refused one");
  }
}
