package dev.conveyor.it;

import static dev.conveyor.it.Http.get;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.api.ops.Health;
import dev.conveyor.cache.RedisClients;
import dev.conveyor.config.Config;
import dev.conveyor.deps.Dependencies;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Health, readiness naming the failing component, and the Prometheus metrics API.md lists. */
@ExtendWith(TestStack.class)
class OpsIT {

  @Test
  void liveAndReadyWithoutAKey() {
    assertEquals(200, get("/health/live", null).statusCode());
    HttpResponse<String> ready = get("/health/ready", null);
    assertEquals(200, ready.statusCode(), ready.body());
    JsonNode components = json(ready).get("components");
    assertEquals("up", components.get("postgresql").asText());
    assertEquals("up", components.get("kafka").asText());
    assertEquals("up", components.get("redis").asText());
  }

  @Test
  void readinessNamesEveryComponentThatDoesNotAnswer() throws Exception {
    Pool deadPg = PgBuilder.pool().connectingTo("postgresql://postgres@127.0.0.1:1/none").using(TestStack.vertx())
        .build();
    RedisAPI deadRedis = RedisAPI.api(RedisClients.client(TestStack.vertx(), "redis://127.0.0.1:1"));
    Admin deadKafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"));
    Dependencies dependencies = Dependencies.create(TestStack.vertx(), Config.from(Map.of()));
    Router router = Router.router(TestStack.vertx());
    new Health(dependencies, List.of(
        new Health.Probe(dependencies.postgresql(), () -> deadPg.query("SELECT 1").execute()),
        new Health.Probe(dependencies.kafka(), () -> Future.fromCompletionStage(
            deadKafka.describeCluster(new DescribeClusterOptions().timeoutMs(1000)).clusterId().toCompletionStage())),
        new Health.Probe(dependencies.redis(), () -> deadRedis.ping(List.of())))).mount(router);
    HttpServer server = TestStack.await(TestStack.vertx().createHttpServer().requestHandler(router).listen(0));
    try {
      HttpResponse<String> ready = Http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.actualPort() + "/health/ready")).GET());
      assertEquals(503, ready.statusCode());
      assertEquals("application/problem+json", ready.headers().firstValue("Content-Type").orElseThrow());
      JsonNode body = json(ready);
      assertEquals(503, body.get("status").asInt());
      assertTrue(body.get("detail").asText().contains("postgresql"));
      assertTrue(body.get("detail").asText().contains("kafka"));
      assertTrue(body.get("detail").asText().contains("redis"));
      assertEquals("closed", body.get("circuitBreakers").get("redis").asText(), "one failure opens no breaker");
    } finally {
      TestStack.await(server.close());
      deadKafka.close();
      TestStack.await(deadPg.close());
    }
  }

  @Test
  void metricsCountJobsAndTimeHttpRequests() {
    long submittedBefore = sample(get("/metrics", null).body(), "conveyor_jobs_submitted_total\\{type=\"hash\"\\}");
    long finishedBefore = sample(get("/metrics", null).body(),
        "conveyor_jobs_finished_total\\{type=\"hash\",status=\"succeeded\"\\}");
    String id = Http.submitted(KEY_ALPHA, "{\"type\":\"hash\",\"payload\":{\"text\":\"m\"}}");
    Http.awaitTerminal(KEY_ALPHA, id);
    // Metrics are recorded just after the job's change is announced: wait for them rather than for a fixed time.
    HttpResponse<String> metrics = Http.eventually(() -> get("/metrics", null), m -> sample(m.body(),
        "conveyor_jobs_finished_total\\{type=\"hash\",status=\"succeeded\"\\}") > finishedBefore);
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
    String text = metrics.body();
    assertEquals(submittedBefore + 1, sample(text, "conveyor_jobs_submitted_total\\{type=\"hash\"\\}"));
    assertEquals(finishedBefore + 1,
        sample(text, "conveyor_jobs_finished_total\\{type=\"hash\",status=\"succeeded\"\\}"));
    assertTrue(sample(text, "conveyor_job_duration_seconds_count\\{type=\"hash\"\\}") >= 1);
    assertTrue(sample(text, "conveyor_job_duration_seconds_bucket\\{type=\"hash\",le=\"\\+Inf\"\\}") >= 1);
    assertTrue(sample(text, "conveyor_job_queue_wait_seconds_count\\{type=\"hash\"\\}") >= 1);
    assertTrue(text.contains("\nconveyor_jobs_in_flight "));
    assertTrue(text.contains("# TYPE conveyor_job_duration_seconds histogram"));
    assertTrue(text.contains("vertx_http_server_response_time_seconds"), "HTTP server timings");
  }

  private static long sample(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(text);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }
}
