package dev.conveyor.it;

import static dev.conveyor.it.BadInputIT.assertProblem;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.callback.CallbackTargets;
import java.net.InetAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With CONVEYOR_CALLBACK_ALLOW_PRIVATE unset (the shared stack), callbacks to this machine or its networks are
 * refused: at submit when the URL says so, and at delivery when its host resolves there.
 */
@ExtendWith(TestStack.class)
class CallbackRefusalIT {

  private static String body(String url) {
    return "{\"type\":\"noop\",\"callbackUrl\":\"" + url + "\"}";
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://api.localhost/x",
      "http://[::1]:9000/", "http://169.254.169.254/latest/meta-data", "http://10.1.2.3/", "http://192.168.0.10/",
      "http://172.20.0.1/", "http://100.64.0.1/", "http://0.0.0.0/", "http://[fd00::1]/", "http://[fe80::1]/",
      "http://[::ffff:127.0.0.1]/", "https://127.0.0.1/secure"})
  void aSubmitWhoseCallbackUrlNamesAPrivateTargetIs422AndStoresNothing(String url) {
    long before = TestStack.sql("SELECT count(*) FROM jobs WHERE callback_url = $1", url).iterator().next().getLong(0);
    HttpResponse<String> response = Http.submit(KEY_ALPHA, body(url));
    assertProblem(response, 422);
    assertTrue(Http.json(response).get("type").asText().endsWith("callback-url-refused"), response.body());
    assertEquals(before, TestStack.sql("SELECT count(*) FROM jobs WHERE callback_url = $1", url).iterator().next()
        .getLong(0));
  }

  @Test
  void aBatchNamesTheRefusedItemAndASchedulesJobIsCheckedToo() {
    HttpResponse<String> batch = Http.send(Http.request("/v1/jobs/batch", KEY_ALPHA)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"jobs\":["
            + body("https://hooks.example.invalid/ok") + "," + body("http://127.0.0.1/x") + "]}")));
    assertProblem(batch, 422);
    JsonNode errors = Http.json(batch).get("errors");
    assertEquals(1, errors.size(), batch.body());
    assertEquals(1, errors.get(0).get("index").asInt());

    HttpResponse<String> schedule = ScheduleIT.put("refused-callback", KEY_ALPHA,
        "{\"cron\":\"0 4 * * *\",\"job\":" + body("http://10.0.0.1/hook") + "}");
    assertProblem(schedule, 422);
    assertEquals(404, Http.get("/v1/schedules/refused-callback", KEY_ALPHA).statusCode());
  }

  @Test
  void aPublicLookingUrlIsAccepted() {
    assertEquals(202, Http.submit(KEY_ALPHA, body("https://hooks.example.invalid/conveyor")).statusCode());
  }

  @Test
  void aHostThatResolvesToThisMachineIsRefusedAtDeliveryWithoutRetries() throws Exception {
    String host = InetAddress.getLocalHost().getHostName();
    InetAddress[] addresses = InetAddress.getAllByName(host);
    assumeTrue(new CallbackTargets(false).refusal(addresses[0]).isPresent()
        && new CallbackTargets(false).refusal("http://" + host + "/").isEmpty(),
        "this machine's name resolves to a non-public address and is not refused by name");
    String id = Http.submitted(KEY_ALPHA, body("http://" + host + ":" + TestStack.baseUrl().replaceAll(".*:", "")
        + "/v1/health"));
    JsonNode job = Http.awaitJob(KEY_ALPHA, id, j -> j.has("callback")
        && j.get("callback").get("state").asText().equals("failed"), Duration.ofSeconds(30));
    assertEquals(1, job.get("callback").get("attempts").asInt(), "a refused target is not retried");
    assertTrue(job.get("callback").get("lastError").asText().contains("refused"), job.toString());
    assertTrue(job.get("callback").get("lastStatus").isNull());
  }
}
