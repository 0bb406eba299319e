package dev.conveyor.it;

import static dev.conveyor.it.Http.get;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.TestStack.KEY_ALPHA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.conveyor.config.Config;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deployment files (image definitions, compose, Kubernetes manifests, Grafana dashboard) read and held against
 * what they name: the kinds, the settings of {@code Config} and the README, the probes against a running API, the
 * jars and main classes of the build, the worker's shutdown, and the metrics a real {@code /metrics} serves.
 */
@ExtendWith(TestStack.class)
class DeployFilesIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final Pattern SETTING = Pattern.compile("CONVEYOR_[A-Z_]+");
  /** Not for a pod: the local launcher's alone, and the worker's name, which each pod takes from its own. */
  private static final Set<String> NOT_IN_CONFIG_MAP = Set.of("CONVEYOR_LOCAL_WORKERS", "CONVEYOR_WORKER_ID");

  private static List<JsonNode> manifests() throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
          new YAMLMapper().readValues(parser, JsonNode.class).forEachRemaining(doc -> {
            if (doc != null && !doc.isNull()) {
              documents.add(doc);
            }
          });
        }
      }
    }
    return documents;
  }

  private static JsonNode only(List<JsonNode> documents, String kind, String name) {
    return documents.stream().filter(d -> d.path("kind").asText().equals(kind)
        && d.path("metadata").path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  /** The settings {@code Config} reads: every variable named in its source. */
  private static Set<String> configSettings() throws IOException {
    return settingsIn(Files.readString(ROOT.resolve("common/src/main/java/dev/conveyor/config/Config.java")));
  }

  private static Set<String> settingsIn(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = SETTING.matcher(text);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  @Test
  void everyKindIsThere() throws IOException {
    Map<String, Integer> kinds = new HashMap<>();
    manifests().forEach(d -> kinds.merge(d.path("kind").asText(), 1, Integer::sum));
    assertEquals(2, kinds.get("Deployment"), "the API and the workers: " + kinds);
    assertEquals(1, kinds.get("Service"));
    assertEquals(1, kinds.get("HorizontalPodAutoscaler"));
    assertEquals(2, kinds.get("PodDisruptionBudget"));
    assertEquals(1, kinds.get("ScaledObject"));
    assertEquals(1, kinds.get("ConfigMap"));
    assertEquals(1, kinds.get("Secret"));
    JsonNode hpa = only(manifests(), "HorizontalPodAutoscaler", "conveyor-api");
    assertEquals("conveyor-api", hpa.at("/spec/scaleTargetRef/name").asText());
    assertEquals("cpu", hpa.at("/spec/metrics/0/resource/name").asText());
    JsonNode scaler = only(manifests(), "ScaledObject", "conveyor-worker");
    assertEquals("keda.sh/v1alpha1", scaler.path("apiVersion").asText());
    assertEquals("conveyor-worker", scaler.at("/spec/scaleTargetRef/name").asText());
    JsonNode trigger = scaler.at("/spec/triggers/0");
    assertEquals("kafka", trigger.path("type").asText());
    String namespace = only(manifests(), "ConfigMap", "conveyor-config").at("/data/CONVEYOR_NAMESPACE").asText();
    assertEquals(namespace + ".workers", trigger.at("/metadata/consumerGroup").asText(), "the workers' group");
    assertTrue(trigger.at("/metadata/topic").isMissingNode(), "every topic of the group counts, not one");
  }

  @Test
  void theSettingsAreConfigsAndTheReadmesEveryOne() throws IOException {
    Set<String> config = configSettings();
    assertTrue(config.size() > 30, "Config's settings found: " + config);
    List<JsonNode> manifests = manifests();
    Set<String> given = new TreeSet<>();
    only(manifests, "ConfigMap", "conveyor-config").path("data").fieldNames().forEachRemaining(given::add);
    only(manifests, "Secret", "conveyor-secret").path("stringData").fieldNames().forEachRemaining(given::add);
    for (String file : List.of("k8s/config.yaml", "k8s/api.yaml", "k8s/worker.yaml", "compose.yaml",
        "docker/Dockerfile")) {
      Set<String> named = settingsIn(Files.readString(DEPLOY.resolve(file)));
      named.removeAll(config);
      assertEquals(Set.of(), named, file + " names settings Config does not read");
    }
    String readme = Files.readString(ROOT.resolve("README.md"));
    String table = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("## The HTTP API"));
    Set<String> documented = settingsIn(table);
    documented.removeAll(NOT_IN_CONFIG_MAP);
    Set<String> missing = new TreeSet<>(documented);
    missing.removeAll(given);
    assertEquals(Set.of(), missing, "README settings absent from the ConfigMap and the Secret");
    Set<String> unset = new TreeSet<>(config);
    unset.removeAll(given);
    unset.removeAll(NOT_IN_CONFIG_MAP);
    assertEquals(Set.of(), unset, "Config settings absent from the ConfigMap and the Secret");
    JsonNode secret = only(manifests, "Secret", "conveyor-secret").path("stringData");
    for (String secretOne : List.of("CONVEYOR_API_KEYS", "CONVEYOR_PG_URL")) {
      assertTrue(secret.has(secretOne), secretOne + " is a secret");
    }
    Config.from(toMap(only(manifests, "ConfigMap", "conveyor-config").path("data")));
  }

  private static Map<String, String> toMap(JsonNode data) {
    Map<String, String> env = new HashMap<>();
    data.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    return env;
  }

  @Test
  void probesAskTheEndpointsTheProcessesServe() throws IOException {
    List<JsonNode> manifests = manifests();
    JsonNode api = only(manifests, "Deployment", "conveyor-api").at("/spec/template/spec/containers/0");
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      JsonNode get = api.path(probe).path("httpGet");
      assertEquals(8080, port(api, get.path("port")), probe + " on the API port");
      HttpResponse<String> answer = get(get.path("path").asText(), null);
      assertEquals(200, answer.statusCode(), probe + " " + get.path("path").asText() + ": " + answer.body());
    }
    assertEquals(8080, only(manifests, "ConfigMap", "conveyor-config").at("/data/CONVEYOR_HTTP_PORT").asInt());
    assertEquals(8080, port(api, only(manifests, "Service", "conveyor-api").at("/spec/ports/0/targetPort")));

    JsonNode worker = only(manifests, "Deployment", "conveyor-worker").at("/spec/template/spec/containers/0");
    int healthPort = only(manifests, "ConfigMap", "conveyor-config").at("/data/CONVEYOR_WORKER_HEALTH_PORT").asInt();
    String workerHealth = Files.readString(ROOT.resolve("worker/src/main/java/dev/conveyor/worker/ops/WorkerHealth.java"));
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      JsonNode get = worker.path(probe).path("httpGet");
      assertEquals(healthPort, port(worker, get.path("port")), probe + " on CONVEYOR_WORKER_HEALTH_PORT");
      assertTrue(workerHealth.contains("case \"" + get.path("path").asText() + "\""),
          "the worker serves " + get.path("path").asText());
    }
  }

  /** A container port, given by number or by name. */
  private static int port(JsonNode container, JsonNode port) {
    if (port.isInt()) {
      return port.asInt();
    }
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(port.asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no port " + port + " in " + container.path("name"));
  }

  @Test
  void aWorkerHasTimeToStopBeforeItIsKilled() throws IOException {
    Config defaults = Config.from(toMap(only(manifests(), "ConfigMap", "conveyor-config").path("data")));
    long needMs = (long) defaults.shutdownGraceMs() + defaults.handlerStopMs();
    long graceS = only(manifests(), "Deployment", "conveyor-worker")
        .at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
    assertTrue(graceS * 1000 > needMs, graceS + " s of grace for " + needMs + " ms of shutdown");
    JsonNode compose = new YAMLMapper().readTree(DEPLOY.resolve("compose.yaml").toFile());
    String stop = compose.at("/services/worker/stop_grace_period").asText();
    assertTrue(Long.parseLong(stop.replace("s", "")) * 1000 > needMs, "compose gives the worker " + stop);
  }

  @Test
  void imagesCopyTheJarsTheBuildMakesAndRunAsAnotherUser() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
    for (String module : List.of("api", "worker")) {
      String pom = Files.readString(ROOT.resolve(module + "/pom.xml"));
      Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
      assertTrue(finalName.find(), module + " names its jar");
      String jar = finalName.group(1) + ".jar";
      assertTrue(dockerfile.contains("COPY --from=build /src/" + module + "/target/" + jar + " /app/" + jar),
          "the " + module + " image copies " + jar);
      assertTrue(dockerfile.contains("\"-jar\", \"/app/" + jar + "\""), "and runs it");
      Matcher main = Pattern.compile("<mainClass>([^<]+)</mainClass>").matcher(pom);
      assertTrue(main.find(), module + " names its main class");
      assertNotNull(classOf(main.group(1)), main.group(1));
      assertTrue(dockerfile.contains("FROM runtime AS " + module), "a target " + module);
    }
    Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(dockerfile);
    assertTrue(user.find(), "a numeric user");
    assertFalse(user.group(1).equals("0"), "not root");
    for (String file : List.of("k8s/api.yaml", "k8s/worker.yaml")) {
      assertTrue(Files.readString(DEPLOY.resolve(file)).contains("runAsUser: " + user.group(1)), file);
    }
  }

  private static Class<?> classOf(String name) {
    try {
      return Class.forName(name, false, DeployFilesIT.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return null;
    }
  }

  @Test
  void composeRunsEverythingWithHealthChecks() throws IOException {
    JsonNode services = new YAMLMapper().readTree(DEPLOY.resolve("compose.yaml").toFile()).path("services");
    assertTrue(services.path("kafka").path("image").asText().startsWith("apache/kafka:"), "the official image");
    for (String service : List.of("kafka", "postgres", "redis", "api", "worker")) {
      assertFalse(services.path(service).path("healthcheck").path("test").isMissingNode(), service + " health");
    }
    for (String service : List.of("api", "worker")) {
      for (String dependency : List.of("kafka", "postgres", "redis")) {
        assertEquals("service_healthy", services.path(service).path("depends_on").path(dependency)
            .path("condition").asText(), service + " waits for " + dependency);
      }
      assertEquals(service, services.path(service).path("build").path("target").asText());
    }
  }

  @Test
  void theDashboardsQueriesNameMetricsTheApiServes() throws Exception {
    HttpResponse<String> accepted = Http.send(Http.request("/v1/jobs", KEY_ALPHA)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\",\"payload\":{}}")));
    assertEquals(202, accepted.statusCode(), accepted.body());
    String id = json(accepted).get("id").asText();
    assertEquals("succeeded", json(get("/v1/jobs/" + id + "?wait=10", KEY_ALPHA)).get("status").asText());
    String scrape = get("/metrics", null).body();
    Set<String> served = new TreeSet<>();
    scrape.lines().forEach(line -> {
      if (line.startsWith("# TYPE ")) {
        String family = line.split(" ")[2];
        served.add(family);
        if (line.endsWith(" histogram")) {
          served.addAll(List.of(family + "_bucket", family + "_sum", family + "_count"));
        }
      } else if (!line.startsWith("#") && !line.isBlank()) {
        served.add(line.split("[{ ]")[0]);
      }
    });
    JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/conveyor.json").toFile());
    Pattern metric = Pattern.compile("\\b(?:conveyor|vertx)_[a-z_]+");
    Set<String> used = new TreeSet<>();
    dashboard.findValues("expr").forEach(expr -> {
      Matcher m = metric.matcher(expr.asText());
      while (m.find()) {
        used.add(m.group());
      }
    });
    assertTrue(used.containsAll(List.of("conveyor_jobs_submitted_total", "conveyor_jobs_finished_total",
        "conveyor_job_duration_seconds_bucket", "conveyor_job_queue_wait_seconds_bucket", "conveyor_jobs_in_flight",
        "conveyor_jobs_queued")), "throughput, durations, queue wait, in flight and lag: " + used);
    Set<String> unknown = new TreeSet<>(used);
    unknown.removeAll(served);
    assertEquals(Set.of(), unknown, "metrics the dashboard asks for and /metrics does not serve");
    List<String> titles = new ArrayList<>();
    dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
    assertTrue(titles.size() >= 7, "panels: " + titles);
  }
}
