package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
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
 * {@code /openapi.json}: served without a key, valid OpenAPI 3.1, and in step with the server: every route the API
 * mounts is described and nothing else, every problem type the code can answer is listed and no other, and every
 * header API.md names is there.
 */
@ExtendWith(TestStack.class)
class OpenApiIT {
  /** The headers API.md names: those a client sends, and those it reads. */
  private static final Set<String> REQUEST_HEADERS = Set.of("Idempotency-Key", "Prefer", "If-None-Match",
      "Last-Event-ID", "Content-Encoding");
  private static final Set<String> RESPONSE_HEADERS = Set.of("Location", "Retry-After", "Poll-After-Ms", "ETag",
      "Cache-Control", "Idempotent-Replayed", "Preference-Applied", "RateLimit-Policy", "RateLimit",
      "WWW-Authenticate");
  /** A slug given to Problem.of (also inside Problem), its status a literal or a call; or a type written out. */
  private static final Pattern PROBLEM_SLUG = Pattern.compile(
      "(?:Problem\\.of|return of)\\(\\s*[^,()]+(?:\\(\\))?,\\s*\"([a-z0-9.-]+)\"|\"/problems/([a-z0-9.-]+)\"");

  private static OpenAPI document() {
    HttpResponse<String> response = Http.get("/openapi.json", null);
    assertEquals(200, response.statusCode(), "served without a key");
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(response.body(), null, options);
    assertEquals(List.of(), parsed.getMessages(), "the parser finds nothing wrong");
    assertNotNull(parsed.getOpenAPI());
    assertEquals("3.1.0", parsed.getOpenAPI().getOpenapi());
    return parsed.getOpenAPI();
  }

  @Test
  void describesEveryRouteTheApiMountsAndNoOther() {
    Set<String> described = new TreeSet<>();
    document().getPaths().forEach((path, item) -> item.readOperationsMap()
        .forEach((method, operation) -> described.add(method.name() + " " + path)));
    Router router = Router.router(TestStack.vertx());
    TestStack.running().api.routes().forEach(routes -> routes.mount(router));
    Set<String> mounted = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      for (HttpMethod method : route.methods()) {
        mounted.add(method.name() + " " + route.getPath().replaceAll(":(\\w+)", "{$1}"));
      }
    }
    assertTrue(mounted.size() >= 15, "the routes were found: " + mounted);
    assertEquals(mounted, described);
  }

  @Test
  void listsEveryProblemTypeTheCodeAnswersAndNoOther() throws IOException {
    Set<String> answered = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("..", "api", "src", "main", "java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = PROBLEM_SLUG.matcher(Files.readString(file));
        while (m.find()) {
          answered.add("/problems/" + (m.group(1) != null ? m.group(1) : m.group(2)));
        }
      }
    }
    assertTrue(answered.containsAll(Set.of("/problems/invalid-request", "/problems/not-found",
        "/problems/not-ready")), "the scan sees Problem's own slugs and types written out: " + answered);
    assertTrue(answered.size() >= 20, "the code's problem types were found: " + answered);
    Schema<?> type = (Schema<?>) document().getComponents().getSchemas().get("Problem").getProperties().get("type");
    Set<String> listed = new TreeSet<>();
    type.getEnum().forEach(value -> listed.add(value.toString()));
    assertEquals(answered, listed);
  }

  @Test
  void namesEveryHeaderOfTheContract() {
    OpenAPI doc = document();
    Set<String> sent = new HashSet<>();
    Set<String> read = new HashSet<>();
    doc.getComponents().getResponses().values().forEach(r -> read.addAll(r.getHeaders().keySet()));
    for (PathItem item : doc.getPaths().values()) {
      for (Operation operation : item.readOperations()) {
        if (operation.getParameters() != null) {
          operation.getParameters().stream().filter(p -> "header".equals(p.getIn())).map(Parameter::getName)
              .forEach(sent::add);
        }
        operation.getResponses().values().stream().filter(r -> r.getHeaders() != null)
            .forEach(r -> read.addAll(r.getHeaders().keySet()));
      }
    }
    assertTrue(sent.containsAll(REQUEST_HEADERS), "request headers: " + sent);
    assertTrue(read.containsAll(RESPONSE_HEADERS), "response headers, as answers use them: " + read);
    assertTrue(doc.getComponents().getHeaders().keySet().containsAll(read), "each described once: " + read);
    Set<String> callbackHeaders = new HashSet<>();
    doc.getWebhooks().get("jobFinished").getPost().getParameters().forEach(p -> callbackHeaders.add(p.getName()));
    assertEquals(Set.of("Conveyor-Delivery", "Conveyor-Signature"), callbackHeaders, "API.md's callback headers");
    assertEquals("bearer", doc.getComponents().getSecuritySchemes().get("apiKey").getScheme());
    Map<String, PathItem> paths = doc.getPaths();
    assertTrue(paths.get("/health/live").getGet().getSecurity().isEmpty(), "operations need no key");
    assertNotNull(paths.get("/v1/jobs").getGet().getParameters().stream().filter(p -> p.getName().equals("ids"))
        .findFirst().orElse(null), "ids= is described");
  }
}
