package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.client.CallbackSignatures;
import dev.conveyor.deploy.JavaProcess;
import dev.conveyor.it.faults.IsolatedStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Callbacks (API.md "Callbacks") on a stack of their own, delivered to a real receiver on 127.0.0.1 (so private
 * targets are allowed here; {@link CallbackRefusalIT} checks that they are refused by default). Retries are quick:
 * a 200 ms backoff base, and 20 s before giving up; a 3 s request timeout holds a taken delivery for 17 s.
 */
@ExtendWith(TestStack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallbackIT {
  private static IsolatedStack stack;
  private static CallbackReceiver receiver;
  private static Process worker;
  private static int workers;

  @BeforeAll
  static void start() {
    stack = IsolatedStack.create("callbacks", Map.of(
        "CONVEYOR_CALLBACK_ALLOW_PRIVATE", "true",
        "CONVEYOR_CALLBACK_RETRY_BASE_MS", "200",
        "CONVEYOR_CALLBACK_TIMEOUT_MS", "3000",
        "CONVEYOR_CALLBACK_RETRY_FOR_MS", "20000"));
    receiver = new CallbackReceiver();
    stack.startApi();
    worker = stack.startBuiltinWorker("callbacks-" + ++workers);
  }

  @AfterAll
  static void stop() {
    receiver.close();
    stack.close();
  }

  private static String keys(String... args) throws Exception {
    Process process = JavaProcess.builder(JavaProcess.ownClasspath(), List.of("-Xmx128m"),
        "dev.conveyor.api.auth.KeysTool", List.of(args), stack.env()).redirectErrorStream(true).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    return output.lines().findFirst().orElseThrow().trim();
  }

  private static String submit(String type, String payload, String path) {
    return stack.submitted("{\"type\":\"" + type + "\",\"payload\":" + payload + ",\"callbackUrl\":\""
        + receiver.url(path) + "\"}");
  }

  private static JsonNode awaitCallback(String id, String state, Duration timeout) {
    return stack.awaitJob(id, j -> j.has("callback") && j.get("callback").get("state").asText().equals(state),
        timeout);
  }

  private static void restartWorker() {
    IsolatedStack.signal(worker, "KILL");
    try {
      assertTrue(worker.waitFor(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    worker = stack.startBuiltinWorker("callbacks-" + ++workers);
  }

  @Test
  @Order(1)
  void deliversTheFinalRepresentationSignedAndRetriesWithTheSameDeliveryId() throws Exception {
    String id = submit("noop", "{}", "/flaky");
    JsonNode job = awaitCallback(id, "delivered", Duration.ofSeconds(30));
    String secret = keys("callback-secret", "alpha");
    assertTrue(secret.startsWith("whsec_"), secret);

    List<CallbackReceiver.Delivery> got = receiver.of(id);
    assertEquals(List.of(503, 503, 200), got.stream().map(CallbackReceiver.Delivery::answered).toList());
    assertEquals(1, got.stream().map(CallbackReceiver.Delivery::deliveryId).distinct().count(),
        "every retry of a delivery carries its Conveyor-Delivery");
    assertEquals(job.get("callback").get("deliveryId").asText(), got.get(0).deliveryId());
    for (CallbackReceiver.Delivery delivery : got) {
      assertTrue(delivery.signature().matches("t=\\d+,v1=[0-9a-f]{64}"), delivery.signature());
      assertTrue(CallbackSignatures.verify(delivery.signature(), delivery.body(),
          secret.getBytes(StandardCharsets.UTF_8)), "signed with the tenant's secret: " + delivery.signature());
      assertFalse(CallbackSignatures.verify(delivery.signature(), (new String(delivery.body(),
          StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8)));
      assertTrue(delivery.contentType().startsWith("application/json"), delivery.contentType());
    }

    JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(got.get(2).body());
    assertEquals(id, body.get("id").asText());
    assertEquals("succeeded", body.get("status").asText());
    assertFalse(body.has("nextPollAfterMs"), "the final representation");
    assertFalse(body.has("callback"), "the body is the job, not its delivery");

    JsonNode callback = job.get("callback");
    assertEquals(3, callback.get("attempts").asInt());
    assertEquals(200, callback.get("lastStatus").asInt());
    assertFalse(callback.get("deliveredAt").isNull());
    assertTrue(callback.get("nextAttemptAt").isNull());
  }

  @Test
  @Order(2)
  void aRotatedSecretSignsEveryDeliveryFromFiveSecondsOn() throws Exception {
    String before = keys("callback-secret", "alpha");
    String after = keys("rotate-callback-secret", "alpha");
    assertNotEquals(before, after);
    assertEquals(after, keys("callback-secret", "alpha"));
    // A worker reads a tenant's secret again once its copy is 5 s old, as the README says.
    Thread.sleep(5_100);
    String id = submit("noop", "{}", "/ok");
    awaitCallback(id, "delivered", Duration.ofSeconds(30));
    CallbackReceiver.Delivery delivery = receiver.of(id).get(0);
    assertTrue(CallbackSignatures.verify(delivery.signature(), delivery.body(), after.getBytes(StandardCharsets.UTF_8)));
    assertFalse(CallbackSignatures.verify(delivery.signature(), delivery.body(),
        before.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  @Order(3)
  void deliveriesOwedWhileTheReceiverIsDownSurviveItAndAWorkerKill() {
    receiver.stop();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(submit("noop", "{}", "/ok"));
    }
    for (String id : ids) {
      JsonNode job = stack.awaitJob(id, j -> j.has("callback") && j.get("callback").get("attempts").asInt() >= 2,
          Duration.ofSeconds(30));
      assertEquals("pending", job.get("callback").get("state").asText());
      assertTrue(job.get("callback").get("lastStatus").isNull(), "no answer from a receiver that is down");
      assertFalse(job.get("callback").get("lastError").isNull());
    }
    restartWorker();
    receiver.start();
    for (String id : ids) {
      JsonNode job = awaitCallback(id, "delivered", Duration.ofSeconds(30));
      List<CallbackReceiver.Delivery> got = receiver.of(id);
      assertEquals(1, got.size(), "one delivery once the receiver is back: " + got);
      assertEquals(job.get("callback").get("deliveryId").asText(), got.get(0).deliveryId());
    }
  }

  @Test
  @Order(4)
  void aDeliveryUnderWayWhenItsWorkerDiesIsSentAgain() {
    String id = submit("noop", "{}", "/slow");
    Http.eventually(() -> receiver.of(id).size(), n -> n >= 1);
    restartWorker();
    JsonNode job = awaitCallback(id, "delivered", Duration.ofSeconds(60));
    List<CallbackReceiver.Delivery> got = receiver.of(id);
    assertTrue(got.size() >= 2, "sent again after the dead worker's hold: " + got);
    long gapMs = Duration.between(got.get(0).at(), got.get(1).at()).toMillis();
    assertTrue(gapMs >= 12_000, "not before the dead worker's hold (17 s) ended, not by a retry of its own: " + gapMs);
    assertEquals(1, got.stream().map(CallbackReceiver.Delivery::deliveryId).distinct().count());
    assertEquals(got.size(), job.get("callback").get("attempts").asInt(), "the attempt that died counts too");
  }

  @Test
  @Order(5)
  void aReceiverThatNeverAcceptsIsGivenUpOnAfterTheRetryWindow() {
    String id = submit("noop", "{}", "/never");
    JsonNode job = awaitCallback(id, "failed", Duration.ofSeconds(60));
    JsonNode callback = job.get("callback");
    assertEquals(500, callback.get("lastStatus").asInt());
    assertTrue(callback.get("nextAttemptAt").isNull());
    assertTrue(callback.get("deliveredAt").isNull());
    assertTrue(callback.get("attempts").asInt() >= 4, "retried first: " + callback);
    List<CallbackReceiver.Delivery> got = receiver.of(id);
    assertEquals(callback.get("attempts").asInt(), got.size());
    for (int i = 0; i + 1 < Math.min(got.size(), 6); i++) {
      long gapMs = Duration.between(got.get(i).at(), got.get(i + 1).at()).toMillis();
      long floorMs = 100L << i;
      assertTrue(gapMs >= floorMs, "backoff doubles from a 200 ms base (drawn from its upper half): gap " + i + " is "
          + gapMs + " ms, under " + floorMs);
    }
    long lastGapMs = Duration.between(got.get(got.size() - 2).at(), got.get(got.size() - 1).at()).toMillis();
    assertTrue(lastGapMs >= 1_600, "the gaps grew: " + lastGapMs);
  }

  @Test
  @Order(6)
  void aDeliveryWhoseAttemptsNeverCompleteIsGivenUpWhenTakenPastItsWindow() {
    String id = submit("noop", "{}", "/never");
    stack.awaitJob(id, j -> j.has("callback") && j.get("callback").get("attempts").asInt() >= 1,
        Duration.ofSeconds(30));
    // As if every attempt since had died with its worker: owed long ago, and due now.
    stack.sql("UPDATE jobs SET callback_since = now() - interval '1 day', callback_due_at = now() WHERE id = $1",
        java.util.UUID.fromString(id));
    JsonNode callback = awaitCallback(id, "failed", Duration.ofSeconds(30)).get("callback");
    assertTrue(callback.get("lastError").asText().startsWith("given up"), callback.toString());
    assertTrue(callback.get("nextAttemptAt").isNull());
  }

  @Test
  @Order(7)
  void aCancelOwesADeliveryAndARetryOwesANewOne() {
    String later = stack.submitted("{\"type\":\"noop\",\"runAt\":\"2099-01-01T00:00:00Z\",\"callbackUrl\":\""
        + receiver.url("/ok") + "\"}");
    assertEquals(200, stack.post("/v1/jobs/" + later + "/cancel").statusCode());
    awaitCallback(later, "delivered", Duration.ofSeconds(30));
    assertTrue(new String(receiver.of(later).get(0).body(), StandardCharsets.UTF_8).contains("\"status\":\"cancelled\""));

    String failing = stack.submitted("{\"type\":\"fail\",\"payload\":{\"times\":20},\"maxAttempts\":1,\"callbackUrl\":\""
        + receiver.url("/ok") + "\"}");
    String first = awaitCallback(failing, "delivered", Duration.ofSeconds(30)).get("callback").get("deliveryId")
        .asText();
    assertEquals(202, stack.post("/v1/jobs/" + failing + "/retry").statusCode());
    JsonNode again = stack.awaitJob(failing, j -> j.get("status").asText().equals("failed")
        && j.get("callback").get("state").asText().equals("delivered")
        && !j.get("callback").get("deliveryId").asText().equals(first), Duration.ofSeconds(30));
    List<CallbackReceiver.Delivery> got = receiver.of(failing);
    assertEquals(List.of(first, again.get("callback").get("deliveryId").asText()),
        got.stream().map(CallbackReceiver.Delivery::deliveryId).toList(), "one delivery per terminal state");
    assertTrue(new String(got.get(1).body(), StandardCharsets.UTF_8).contains("\"status\":\"failed\""));
  }
}
