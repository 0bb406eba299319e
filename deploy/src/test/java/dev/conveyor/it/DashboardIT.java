package dev.conveyor.it;

import static dev.conveyor.it.Http.awaitTerminal;
import static dev.conveyor.it.Http.json;
import static dev.conveyor.it.Http.request;
import static dev.conveyor.it.Http.send;
import static dev.conveyor.it.Http.submitted;
import static dev.conveyor.it.TestStack.KEY_DASHBOARD;
import static dev.conveyor.it.TestStack.KEY_ONLOOKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard at {@code /ui/} in a real headless Chromium (Debian's, driven through its chromedriver, installed
 * here when missing), against the real stack, as tenant "dashboard". A screenshot of each page goes to
 * {@code target/ui-screenshots/}.
 */
@ExtendWith(TestStack.class)
class DashboardIT {
  private static final Path BROWSER = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static ChromeDriver driver;
  private static WebDriverWait wait;
  private String testName;

  @BeforeAll
  static void startBrowser() throws IOException, InterruptedException {
    installChromiumIfMissing();
    Files.createDirectories(SCREENSHOTS);
    // Both paths given: Selenium Manager is never asked to find or download anything.
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().withLogFile(TestStack.home().resolve("chromedriver.log").toFile()).build();
    ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1366,1000", "--lang=en-US");
    driver = new ChromeDriver(service, options);
    // Views re-render as the jobs change: an element found a moment ago may be gone; look again.
    wait = new WebDriverWait(driver, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
  }

  /** CI runs as root on Debian: it installs the packages; anyone else is told what to install. */
  private static void installChromiumIfMissing() throws IOException, InterruptedException {
    if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
      return;
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      fail("DashboardIT needs Debian's chromium and chromium-driver (" + BROWSER + ", " + DRIVER + "): "
          + "run 'apt-get install -y chromium chromium-driver' as root, or run the tests as root.");
    }
    File log = TestStack.home().resolve("apt-chromium.log").toFile();
    for (List<String> command : List.of(List.of("apt-get", "update", "-q"), List.of("apt-get", "install", "-y", "-q",
        "-o", "DPkg::Lock::Timeout=300", "chromium", "chromium-driver"))) {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
      builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process process = builder.start();
      if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        fail("could not install chromium and chromium-driver with '" + String.join(" ", command) + "'; see " + log);
      }
    }
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      fail("apt-get installed chromium and chromium-driver, but " + BROWSER + " or " + DRIVER + " is missing");
    }
  }

  @AfterAll
  static void stopBrowser() {
    if (driver != null) {
      driver.quit();
    }
  }

  @BeforeEach
  void name(TestInfo info) {
    testName = info.getTestMethod().orElseThrow().getName();
  }

  /** The state each test ends in, passed or failed, beside the named pages. */
  @AfterEach
  void screenshotAtEnd() {
    shot("end-" + testName);
  }

  @Test
  void refusesAWrongKeyThenSignsInAndOut() {
    driver.get(TestStack.baseUrl() + "/ui");
    wait.until(ExpectedConditions.urlToBe(TestStack.baseUrl() + "/ui/"));
    clearSession();
    WebElement key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
    shot("sign-in");
    key.sendKeys("not-a-key");
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    WebElement problem = wait.until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("#sign-in-message .problem")));
    assertTrue(problem.getText().startsWith("401"), problem.getText());
    assertTrue(problem.getText().contains("unknown or revoked"), problem.getText());
    shot("sign-in-refused");
    assertNull(script("return sessionStorage.getItem('conveyor.apiKey')"), "a refused key is not kept");
    assertFalse(driver.findElement(By.id("nav")).isDisplayed(), "nothing shown but the form");

    key.clear();
    key.sendKeys(KEY_DASHBOARD);
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("status-counts")));
    assertFalse(driver.getCurrentUrl().contains(KEY_DASHBOARD), "the key never goes into a URL");
    assertEquals(KEY_DASHBOARD, script("return sessionStorage.getItem('conveyor.apiKey')"));
    assertNull(script("return localStorage.getItem('conveyor.apiKey')"), "nor kept past the tab");

    driver.findElement(By.id("sign-out")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
    assertNull(script("return sessionStorage.getItem('conveyor.apiKey')"), "signed out, the key is gone");
  }

  @Test
  void showsAJobGoLiveFromQueuedToSucceededInTheTableAndOnItsPage() {
    signIn();
    script("window.notReloaded = true");
    String listed = submitted(KEY_DASHBOARD, "{\"type\":\"sleep\",\"payload\":{\"ms\":2500,\"steps\":5}}");
    open("#/jobs");
    By row = By.cssSelector("tr[data-id='" + listed + "']");
    WebElement status = wait.until(ExpectedConditions.visibilityOfElementLocated(row))
        .findElement(By.cssSelector(".status"));
    String first = status.getText();
    assertTrue(Set.of("queued", "running").contains(first), "seen before it ended: " + first);
    wait.until(d -> d.findElement(row).getDomAttribute("data-status").equals("running"));
    shot("jobs-live");
    wait.until(d -> d.findElement(row).getDomAttribute("data-status").equals("succeeded"));
    assertEquals("100%", driver.findElement(row).findElement(By.cssSelector(".percent")).getText());
    assertEquals(Boolean.TRUE, script("return window.notReloaded"), "updated in place, not by a reload");
    assertEquals(Boolean.TRUE, script("return performance.getEntriesByType('resource')"
        + ".some(e => e.name.includes('/v1/jobs?ids=') && e.name.includes(arguments[0]))", listed),
        "its row was read again by id");
    shot("jobs");

    String followed = submitted(KEY_DASHBOARD, "{\"type\":\"sleep\",\"payload\":{\"ms\":2500,\"steps\":5}}");
    open("#/jobs/" + followed);
    wait.until(d -> Set.of("queued", "running").contains(text("#job-status")));
    wait.until(d -> text("#job-status").equals("running") && !text("#job-progress .percent").equals("0%"));
    shot("job-running");
    wait.until(d -> text("#job-status").equals("succeeded"));
    assertEquals("{\n  \"sleptMs\": 2500\n}", text("#job-result"));
    assertEquals("1 of 3", text("#job-attempts"));
    assertEquals(Boolean.TRUE, script("return window.notReloaded"));
    shot("job");
  }

  @Test
  void cancelsAndRetriesFromTheJobPage() {
    signIn();
    String id = submitted(KEY_DASHBOARD, "{\"type\":\"sleep\",\"payload\":{\"ms\":60000,\"steps\":60}}");
    open("#/jobs/" + id);
    wait.until(d -> Set.of("queued", "running").contains(text("#job-status")));
    assertTrue(driver.findElement(By.id("job-cancel")).isEnabled());
    assertFalse(driver.findElement(By.id("job-retry")).isEnabled(), "nothing to retry yet");
    driver.findElement(By.id("job-cancel")).click();
    wait.until(d -> text("#job-status").equals("cancelled"));
    shot("job-cancelled");
    assertEquals("cancelled", json(Http.get("/v1/jobs/" + id, KEY_DASHBOARD)).get("status").asText());

    wait.until(ExpectedConditions.elementToBeClickable(By.id("job-retry"))).click();
    wait.until(d -> Set.of("queued", "running").contains(text("#job-status")));
    JsonNode retried = json(Http.get("/v1/jobs/" + id, KEY_DASHBOARD));
    assertEquals(6, retried.get("maxAttempts").asInt(), "a retry grants the budget once more");
    shot("job-retried");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("job-cancel"))).click();
    wait.until(d -> text("#job-status").equals("cancelled"));
    assertTrue(driver.findElements(By.cssSelector("#action-error .problem")).isEmpty(), "no refusal shown");
  }

  @Test
  void showsTheApisProblemsAsItWordsThem() {
    signIn();
    open("#/jobs?schedule=" + "Not%20a%20name");
    WebElement problem = wait.until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("#jobs-error .problem")));
    assertTrue(problem.getText().startsWith("400 Invalid request"), problem.getText());
    assertTrue(problem.getText().contains("schedule must match"), problem.getText());
    assertTrue(problem.getText().contains("/problems/invalid-request"), problem.getText());
    shot("jobs-problem");
    open("#/jobs/019374c2-6d1e-7cc0-9a8e-3f0b5d1e2a44");
    problem = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#job-view .problem")));
    assertTrue(problem.getText().startsWith("404 Not found"), problem.getText());
  }

  @Test
  void filtersByStatusTypeAndScheduleAndPagesByCursor() {
    signIn();
    String failed = submitted(KEY_DASHBOARD, "{\"type\":\"fail\",\"payload\":{\"times\":5},\"maxAttempts\":1}");
    StringBuilder batch = new StringBuilder("{\"jobs\":[");
    for (int i = 0; i < 30; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"type\":\"noop\",\"payload\":{\"n\":").append(i).append("}}");
    }
    HttpResponse<String> accepted = send(request("/v1/jobs/batch", KEY_DASHBOARD)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(batch.append("]}").toString())));
    assertEquals(202, accepted.statusCode(), accepted.body());
    List<String> noops = new ArrayList<>();
    json(accepted).get("items").forEach(item -> noops.add(item.get("id").asText()));
    awaitTerminal(KEY_DASHBOARD, failed);
    noops.forEach(id -> awaitTerminal(KEY_DASHBOARD, id));

    open("#/jobs");
    new Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("filter-status")))).selectByValue("failed");
    wait.until(d -> d.getCurrentUrl().endsWith("#/jobs?status=failed"));
    wait.until(d -> !rowIds().isEmpty() && rowStatuses().equals(Set.of("failed")));
    assertTrue(rowIds().contains(failed), "the failed job is listed");
    shot("jobs-filtered");

    open("#/jobs");
    wait.until(d -> d.findElements(By.cssSelector("#filter-type option[value='noop']")).size() == 1);
    new Select(driver.findElement(By.id("filter-type"))).selectByValue("noop");
    wait.until(d -> d.getCurrentUrl().endsWith("#/jobs?type=noop"));
    wait.until(d -> rowIds().size() == 25 && rowTypes().equals(Set.of("noop")));
    List<String> firstPage = rowIds();
    // Ids made in one millisecond are ordered by their random bits; the canonical text sorts as PostgreSQL does.
    List<String> newestFirst = noops.stream().sorted(java.util.Comparator.reverseOrder()).toList();
    assertEquals(newestFirst.subList(0, 25), firstPage, "newest first");
    driver.findElement(By.id("page-older")).click();
    wait.until(d -> text("#page-info").equals("page 2"));
    assertEquals(newestFirst.subList(25, 30), rowIds().subList(0, 5), "the next page carries on");
    driver.findElement(By.id("page-newer")).click();
    wait.until(d -> text("#page-info").equals("page 1") && rowIds().equals(firstPage));

    HttpResponse<String> put = send(request("/v1/schedules/dash-tick", KEY_DASHBOARD)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"cron\":\"* * * * * *\",\"job\":{\"type\":\"noop\"}}")));
    assertEquals(201, put.statusCode(), put.body());
    try {
      open("#/schedules");
      By schedule = By.cssSelector("tr[data-name='dash-tick']");
      wait.until(ExpectedConditions.visibilityOfElementLocated(schedule));
      wait.until(d -> !json(Http.get("/v1/jobs?schedule=dash-tick", KEY_DASHBOARD)).get("items").isEmpty());
      driver.findElement(schedule).findElement(By.cssSelector("button.toggle")).click();
      wait.until(d -> d.findElement(schedule).getDomAttribute("data-paused").equals("true"));
      assertTrue(json(Http.get("/v1/schedules/dash-tick", KEY_DASHBOARD)).get("paused").asBoolean());
      assertEquals("paused", driver.findElement(schedule).findElement(By.cssSelector(".state")).getText());
      shot("schedules");
      driver.findElement(schedule).findElement(By.cssSelector("button.toggle")).click();
      wait.until(d -> d.findElement(schedule).getDomAttribute("data-paused").equals("false"));
      JsonNode resumed = json(Http.get("/v1/schedules/dash-tick", KEY_DASHBOARD));
      assertFalse(resumed.get("paused").asBoolean());
      assertEquals("* * * * * *", resumed.get("cron").asText(), "the same schedule, only resumed");
      assertEquals("noop", resumed.get("job").get("type").asText());

      driver.findElement(schedule).findElement(By.cssSelector("td a")).click();
      wait.until(d -> d.getCurrentUrl().endsWith("#/jobs?schedule=dash-tick"));
      assertEquals("dash-tick", driver.findElement(By.id("filter-schedule")).getDomProperty("value"));
      wait.until(d -> !rowIds().isEmpty() && driver.findElements(By.cssSelector("#job-rows td.type")).stream()
          .allMatch(cell -> cell.getText().equals("noop · dash-tick")));
    } finally {
      send(request("/v1/schedules/dash-tick", KEY_DASHBOARD).DELETE());
    }
  }

  @Test
  void showsAPayloadThatHoldsMarkupAsText() {
    signIn();
    String markup = "<script>window.ranScript = true; alert('script')</script>"
        + "<img src=x onerror=window.ranScript=alert(1)>";
    String id = submitted(KEY_DASHBOARD, "{\"type\":\"noop\",\"payload\":{\"html\":" + quote(markup) + "}}");
    awaitTerminal(KEY_DASHBOARD, id);
    open("#/jobs/" + id);
    wait.until(d -> text("#job-status").equals("succeeded"));
    assertTrue(text("#job-payload").contains(markup), text("#job-payload"));
    assertTrue(text("#job-result").contains(markup), text("#job-result"));
    assertTrue(driver.findElements(By.cssSelector("#job-view img, #job-view script")).isEmpty(), "no element made");
    assertNull(script("return window.ranScript"), "nothing ran");
    assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert());
    shot("job-markup");
  }

  @Test
  void showsTheTenantsFiguresAndNoOtherTenantsJobs() {
    signIn();
    String mine = submitted(KEY_DASHBOARD, "{\"type\":\"noop\"}");
    String theirs = submitted(KEY_ONLOOKER, "{\"type\":\"noop\"}");
    awaitTerminal(KEY_DASHBOARD, mine);
    awaitTerminal(KEY_ONLOOKER, theirs);

    open("#/jobs");
    wait.until(d -> rowIds().contains(mine));
    assertFalse(rowIds().contains(theirs), "another tenant's job is not listed");
    open("#/jobs/" + theirs);
    WebElement problem = wait.until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("#job-view .problem")));
    assertTrue(problem.getText().startsWith("404"), problem.getText());

    open("#/");
    JsonNode stats = json(Http.get("/v1/stats", KEY_DASHBOARD));
    long succeeded = stats.get("byStatus").get("succeeded").asLong();
    assertTrue(succeeded >= 1);
    wait.until(d -> Long.parseLong(text("#status-counts [data-status='succeeded'] .value").replace(",", ""))
        >= succeeded);
    wait.until(d -> !d.findElements(By.cssSelector("#throughput-chart .uplot canvas")).isEmpty());
    assertEquals(1, driver.findElements(By.cssSelector("#type-counts tr[data-type='noop']")).size());
    shot("overview");

    open("#/types");
    wait.until(d -> !d.findElements(By.cssSelector("#type-rows tr[data-type='noop']")).isEmpty());
    wait.until(d -> !text("#type-rows tr[data-type='noop'] .p50").equals("–"));
    shot("types");
  }

  private void signIn() {
    driver.get(TestStack.baseUrl() + "/ui/");
    clearSession();
    WebElement key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
    key.sendKeys(KEY_DASHBOARD);
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("status-counts")));
  }

  private static void clearSession() {
    script("sessionStorage.clear()");
    driver.navigate().refresh();
  }

  /** Moves within the page (the hash alone changes), as a click on a link does. */
  private static void open(String hash) {
    script("location.hash = arguments[0]", hash);
  }

  private static Object script(String code, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(code, args);
  }

  private static String text(String css) {
    return driver.findElement(By.cssSelector(css)).getText();
  }

  private static List<String> rowIds() {
    return driver.findElements(By.cssSelector("#job-rows tr[data-id]")).stream()
        .map(row -> row.getDomAttribute("data-id")).toList();
  }

  private static Set<String> rowStatuses() {
    return driver.findElements(By.cssSelector("#job-rows tr[data-id]")).stream()
        .map(row -> row.getDomAttribute("data-status")).collect(Collectors.toSet());
  }

  private static Set<String> rowTypes() {
    return driver.findElements(By.cssSelector("#job-rows td.type")).stream().map(WebElement::getText)
        .collect(Collectors.toSet());
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void shot(String name) {
    try {
      File file = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Files.copy(file.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      // A screenshot is evidence, not the test: a failure to take one must not hide the test's own outcome.
      System.err.println("no screenshot " + name + ": " + e);
    }
  }
}
