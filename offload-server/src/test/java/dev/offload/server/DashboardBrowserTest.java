package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.JobContext;
import dev.offload.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}),
 * driven by Selenium against a server that runs API, dashboard and workers in one process, as
 * {@code offload serve} does: a job enqueued through the API appears in the live table, its
 * progress bar rises to 100 % without a page reload, job data with {@code <script>} stays text, a
 * dead job is retried from the dead-letter view by keyboard, and the pages fit a narrow screen.
 * Screenshots go to {@code target/dashboard*.png}.
 *
 * <p>Needs /usr/bin/chromium and /usr/bin/chromedriver ({@code .ci/run} installs them): skipped
 * with the reason when they are missing on a developer's machine, failed under {@code CI=true}.
 */
class DashboardBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path TARGET = Path.of("target");
  static final Logger SELENIUM_LOG = Logger.getLogger("org.openqa.selenium");

  @TempDir Path dir;

  TestServer t;
  WebDriver driver;

  @BeforeEach
  void start() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI=true requires "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + " (apt-get install chromium chromium-driver; .ci/run installs them)");
    }
    Assumptions.assumeTrue(
        present,
        "browser test skipped: "
            + CHROMIUM
            + " or "
            + CHROMEDRIVER
            + " is missing (apt-get install chromium chromium-driver)");
    t = TestServer.start(dir);
    // Selenium warns that Debian's Chromium is newer than its DevTools bindings; this test uses
    // WebDriver only.
    SELENIUM_LOG.setLevel(Level.SEVERE);
    // Point Selenium at Debian's driver and browser, so Selenium Manager never downloads anything.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=1400,1000",
        "--user-data-dir=" + dir.resolve("chromium-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    driver = new ChromeDriver(service, options);
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (t != null) {
      t.close();
    }
    TestServer.GATE_CLOSED.set(false);
    HALFWAY_RELEASED.set(false);
  }

  @Test
  void progressRisesLiveToOneHundredAndADeadJobIsRetriedFromTheDeadLetterView() throws Exception {
    driver.get(t.base + "/#/jobs");
    js("window.__sameDocument = true;");
    waitFor(By.cssSelector("#live.on"));

    // A job enqueued through the API shows up in the live table, with its data as text.
    String evil = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">";
    long id = t.enqueue("steps", Map.of("steps", 60, "delayMs", 40, "label", evil));
    WebElement link = waitFor(By.cssSelector("a.id-link[href='#/jobs/" + id + "']"));
    link.click();

    // The job page's progress bar rises to 100 % through events, sampled as it goes.
    WebElement bar = waitFor(By.cssSelector(".progress-panel [role=progressbar]"));
    List<Integer> seen = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> {
          int now = Integer.parseInt(bar.getAttribute("aria-valuenow"));
          if (seen.isEmpty() || seen.get(seen.size() - 1) != now) {
            seen.add(now);
          }
          return now == 100;
        });
    assertThat(seen).as("progress values seen").last().isEqualTo(100);
    assertThat(seen)
        .as("the bar rose through values between 0 and 100: %s", seen)
        .anyMatch(p -> p > 0 && p < 100);
    assertThat(seen).as("and never went back").isSorted();
    assertThat(bar.getAttribute("aria-valuetext")).startsWith("100%");
    waitFor(By.cssSelector(".job-title .badge.st-succeeded"));
    assertThat(driver.findElement(By.cssSelector(".progress-pct")).getText()).isEqualTo("100%");
    assertThat(driver.findElement(By.cssSelector(".progress-message")).getText())
        .isEqualTo("Processed 60 of 60 items");
    assertThat(js("return window.__sameDocument === true;")).as("no page reload").isEqualTo(true);
    // The args with markup are shown as text and ran no script.
    String args =
        driver
            .findElement(By.xpath("//section[h2[text()='Args'] or .//h2[text()='Args']]//pre"))
            .getText();
    assertThat(args).contains("<script>window.__xss = 1</script>");
    assertThat(js("return typeof window.__xss;")).isEqualTo("undefined");
    screenshot("dashboard.png");

    // A dead job is retried from the dead-letter view, by keyboard.
    TestServer.GATE_CLOSED.set(true);
    long dead = t.enqueue("gated", Map.of("order", 7));
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(dead).equals("dead"));
    TestServer.GATE_CLOSED.set(false);
    driver.findElement(By.cssSelector("a[data-nav=dead]")).click();
    WebElement retry =
        waitFor(
            By.cssSelector(
                "tr[data-id='" + dead + "'] button[aria-label='Retry job " + dead + "']"));
    assertThat(driver.findElement(By.cssSelector("tr[data-id='" + dead + "']")).getText())
        .contains("the gate is closed");
    screenshot("dashboard-dead.png");
    retry.sendKeys(Keys.ENTER);
    waitFor(
        By.xpath(
            "//div[contains(@class,'toast') and contains(., 'Job #" + dead + " will run again')]"));
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(dead).equals("succeeded"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> driver.findElements(By.cssSelector("tr[data-id='" + dead + "']")).isEmpty());
    assertThat(js("return window.__sameDocument === true;"))
        .as("still no page reload")
        .isEqualTo(true);

    // The overview shows the queues live; then everything fits a phone-sized screen.
    driver.findElement(By.cssSelector("a[data-nav=overview]")).click();
    waitFor(By.cssSelector(".queue-card"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !driver.findElements(By.xpath("//table//a[text()='steps']")).isEmpty());
    screenshot("dashboard-overview.png");
    driver.manage().window().setSize(new Dimension(420, 900));
    for (String page : new String[] {"#/", "#/jobs", "#/jobs/" + id, "#/dead"}) {
      js("location.hash = arguments[0];", page);
      // The router marks the address it has rendered; the previous page's content cannot pass.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() ->
              (Boolean)
                  js(
                      "return document.body.dataset.route === arguments[0]"
                          + " && document.querySelector('#app').children.length > 0;",
                      page));
      assertThat(js("return document.documentElement.scrollWidth <= window.innerWidth;"))
          .as("no sideways scrolling at 420 px on %s", page)
          .isEqualTo(true);
    }
    js("location.hash = arguments[0];", "#/jobs/" + id);
    waitFor(By.cssSelector(".progress-panel [role=progressbar][aria-valuenow='100']"));
    screenshot("dashboard-narrow.png");
  }

  /** Issue 11, item 29: a hash naming no job, and a queue name of the longest allowed length. */
  @Test
  void aHashNamingNoJobSaysSoAndALongQueueNameFitsTheScreen() throws Exception {
    driver.get(t.base + "/#/jobs");
    waitFor(By.cssSelector("#live.on"));

    // Named by a hash, a job that does not exist says so, and the page does not sit on
    // "Reconnecting…" waiting for a stream that will never come.
    for (String hash :
        new String[] {"#/jobs/987654321", "#/jobs/99999999999999999999999", "#/jobs/abc"}) {
      js("location.hash = arguments[0];", hash);
      WebElement none =
          waitFor(
              By.xpath("//div[contains(@class,'empty')]/strong[starts-with(., 'No such job')]"));
      assertThat(none.getText()).as(hash).startsWith("No such job");
      assertThat(driver.findElement(By.cssSelector("#live .live-text")).getText())
          .as(hash)
          .isNotIn("Reconnecting…", "Connecting…", "Live");
    }
    // Also when the browser opens such an address.
    driver.get(t.base + "/#/jobs/987654321");
    waitFor(By.xpath("//div[contains(@class,'empty')]/strong[starts-with(., 'No such job')]"));
    assertThat(driver.findElement(By.cssSelector("#live .live-text")).getText())
        .isNotIn("Reconnecting…", "Connecting…");

    // A queue name of 128 characters keeps every table and card within the screen.
    String queue = "q" + "0123456789abcdef".repeat(8).substring(1);
    assertThat(queue).hasSize(128);
    long id = t.enqueueWith("{\"kind\": \"echo\", \"queue\": \"" + queue + "\", \"args\": {}}");
    for (int width : new int[] {1400, 420}) {
      driver.manage().window().setSize(new Dimension(width, 900));
      for (String page : new String[] {"#/", "#/jobs", "#/jobs/" + id}) {
        js("location.hash = arguments[0];", page);
        await()
            .atMost(Duration.ofSeconds(15))
            .pollInterval(Duration.ofMillis(100))
            .until(() ->
                (Boolean) js("return document.body.innerText.includes(arguments[0]);", queue));
        assertThat(js("return document.documentElement.scrollWidth <= window.innerWidth;"))
            .as("no sideways scrolling at %s px on %s", width, page)
            .isEqualTo(true);
        if (width == 1400) {
          assertThat(
                  js(
                      "return [...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth);"))
              .as("every table fits its panel at %s px on %s", width, page)
              .isEqualTo(true);
        }
      }
    }
    screenshot("dashboard-long-queue.png");
  }

  @Test
  void aProtectedServerAsksForTheTokenAndThenGoesLive() {
    t.close();
    t = TestServer.start(dir.resolve("token"), b -> b.token("dashboard-token"));
    driver.get(t.base + "/#/");

    WebElement input = waitFor(By.id("token-input"));
    assertThat(driver.findElement(By.id("live")).getText()).isEqualTo("Locked");
    input.sendKeys("not-it", Keys.ENTER);
    waitFor(By.xpath("//p[@id='token-error' and text()='That token was not accepted.']"));
    input.clear();
    input.sendKeys("dashboard-token", Keys.ENTER);

    waitFor(By.cssSelector("#live.on"));
    waitFor(By.cssSelector(".queue-card"));
    assertThat(js("return sessionStorage.getItem('offload.token');")).isEqualTo("dashboard-token");
    // Actions carry the token too.
    driver.findElement(By.cssSelector("button[aria-label='Pause queue default']")).click();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            t.offload.queues().stream().anyMatch(q -> q.name().equals("default") && q.paused()));
  }

  @Test
  void theOverviewListsSchedulesAndAWorkflowIsDrawnAsAGraphOfItsSteps() throws Exception {
    assertThat(
            t.post(
                    "/api/schedules",
                    "{\"name\": \"monthly-report\", \"kind\": \"echo\", \"cron\": \"0 6 1 * *\","
                        + " \"zone\": \"Europe/Copenhagen\"}")
                .status())
        .isEqualTo(201);
    driver.get(t.base + "/#/");
    WebElement row = waitFor(By.cssSelector("tr[data-schedule='monthly-report']"));
    assertThat(row.getText()).contains("0 6 1 * * (Europe/Copenhagen)").contains("active");
    driver
        .findElement(By.cssSelector("button[aria-label='Pause schedule monthly-report']"))
        .click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> t.offload.schedules().get("monthly-report").orElseThrow().paused());
    waitFor(By.xpath("//tr[@data-schedule='monthly-report']//span[text()='paused']"));
    screenshot("dashboard-schedules.png");

    TestServer.Res created =
        t.post(
            "/api/workflows",
            """
            {"name": "month-end", "steps": [
              {"name": "sync", "kind": "steps", "args": {"steps": 20, "delayMs": 20}},
              {"name": "report", "kind": "echo", "after": ["sync"]},
              {"name": "reconcile", "kind": "echo", "after": ["sync"]},
              {"name": "notify", "kind": "echo", "after": ["report", "reconcile"], "onFailure": "continue"}]}\
            """);
    assertThat(created.status()).isEqualTo(201);
    long id = created.json().get("id").asLong();
    driver.get(t.base + "/#/workflows/" + id);
    waitFor(By.cssSelector(".wf-step[data-step='notify'] .badge.st-succeeded"));
    assertThat(driver.findElements(By.cssSelector(".wf-col"))).hasSize(3);
    assertThat(driver.findElements(By.cssSelector(".wf-col")).get(1).getText())
        .contains("report")
        .contains("reconcile");
    assertThat(
            driver
                .findElement(By.cssSelector(".wf-step[data-step='sync'] [role=progressbar]"))
                .getAttribute("aria-valuenow"))
        .isEqualTo("100");
    assertThat(driver.findElement(By.cssSelector("h1")).getText()).contains("month-end");
    screenshot("dashboard-workflow.png");
  }

  /** While false, a {@code halfway} job stays at 40 %. */
  static final AtomicBoolean HALFWAY_RELEASED = new AtomicBoolean();

  /**
   * {@code halfway}: 4 of 10 done, then holds until {@link #HALFWAY_RELEASED}, so the test sees a
   * step running at 40 % while the steps after it wait.
   */
  private static Object halfway(JsonNode args, JobContext ctx) throws InterruptedException {
    ctx.total(10);
    ctx.advance(4);
    ctx.message("4 of 10 pages");
    while (!HALFWAY_RELEASED.get()) {
      if (ctx.isCancelled()) {
        return null;
      }
      Thread.sleep(10);
    }
    ctx.advance(6);
    return null;
  }

  @Test
  void aWorkflowsGraphShowsItsStepsStatesAndProgressLiveAndItsJobsLinkToIt() throws Exception {
    t.close();
    t =
        TestServer.start(
            SqliteStore.open(dir.resolve("live.db")),
            /* workers= */ true,
            o -> o.register("halfway", JsonNode.class, DashboardBrowserTest::halfway),
            b -> {});
    TestServer.Res created =
        t.post(
            "/api/workflows",
            """
            {"name": "month-end", "steps": [
              {"name": "sync", "kind": "halfway"},
              {"name": "report", "kind": "echo", "after": ["sync"]},
              {"name": "reconcile", "kind": "fail", "after": ["sync"]},
              {"name": "notify", "kind": "echo", "after": ["report", "reconcile"], "onFailure": "continue"}]}\
            """);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    long id = created.json().get("id").asLong();
    driver.get(t.base + "/#/workflows/" + id);
    js("window.__sameDocument = true;");

    // Live: the sync runs at 40 % while the steps after it wait; the workflow is at 10 %.
    waitFor(By.cssSelector(".wf-step[data-step='sync'] .badge.st-running"));
    WebElement syncBar = waitFor(By.cssSelector(".wf-step[data-step='sync'] [role=progressbar]"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> "40".equals(syncBar.getAttribute("aria-valuenow")));
    for (String step : List.of("report", "reconcile", "notify")) {
      waitFor(By.cssSelector(".wf-step[data-step='" + step + "'] .badge.st-waiting"));
      assertThat(
              driver
                  .findElement(
                      By.cssSelector(".wf-step[data-step='" + step + "'] [role=progressbar]"))
                  .getAttribute("aria-valuenow"))
          .isEqualTo("0");
    }
    assertThat(driver.findElement(By.cssSelector(".wf-step[data-step='notify']")).getText())
        .contains("after report, reconcile, succeeded or not");
    WebElement overall =
        waitFor(By.cssSelector("[role=progressbar][aria-label='Progress of the workflow']"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> "10".equals(overall.getAttribute("aria-valuenow")));
    assertThat(driver.findElement(By.cssSelector(".wf-summary")).getText())
        .contains("running")
        .contains("0 of 4 steps ended");
    screenshot("dashboard-workflow-live.png");

    // Released, the steps end on the same page: the reconciliation dies, the report succeeds,
    // and the notification runs anyway (onFailure continue); the workflow has failed.
    HALFWAY_RELEASED.set(true);
    waitFor(By.cssSelector(".wf-step[data-step='notify'] .badge.st-succeeded"));
    waitFor(By.cssSelector(".wf-step[data-step='reconcile'] .badge.st-dead"));
    waitFor(By.cssSelector(".wf-step[data-step='report'] .badge.st-succeeded"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> "100".equals(syncBar.getAttribute("aria-valuenow")));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> driver.findElement(By.cssSelector(".wf-summary")).getText().contains("failed"));
    assertThat(driver.findElement(By.cssSelector(".wf-summary")).getText())
        .contains("4 of 4 steps ended");
    assertThat(overall.getAttribute("aria-valuenow")).isEqualTo("100");
    assertThat(js("return window.__sameDocument === true;")).as("no page reload").isEqualTo(true);
    waitFor(By.cssSelector("#live.on"));
    screenshot("dashboard-workflow-ended.png");

    // A step's job page links back to its workflow.
    driver.findElement(By.cssSelector(".wf-step[data-step='reconcile'] .wf-step-name a")).click();
    WebElement back = waitFor(By.cssSelector("dd a[href='#/workflows/" + id + "']"));
    assertThat(back.findElement(By.xpath("..")).getText()).isEqualTo("#" + id + ", step reconcile");
    back.click();
    waitFor(By.cssSelector(".wf-step[data-step='sync']"));
    assertThat(driver.findElement(By.cssSelector("h1")).getText()).contains("month-end");
  }

  @Test
  void aJobHeldBackByItsKeySaysWhyOnItsPageAndItsQueueCardCountsIt() throws Exception {
    t.offload.updateQueue("default", dev.offload.QueueOptions.none().perKey(1));
    String tenant42 = "{\"kind\": \"block\", \"concurrencyKey\": \"tenant:42\"}";
    long first = t.enqueueWith(tenant42);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() ->
            t.offload.job(new dev.offload.Job.JobId(first)).orElseThrow().startedAt() != null);
    long second = t.enqueueWith(tenant42);

    driver.get(t.base + "/#/jobs/" + second);
    WebElement waiting =
        waitFor(By.cssSelector("dd[data-waiting='waiting: key tenant:42 at its limit of 1']"));
    assertThat(waiting.getText()).isEqualTo("key tenant:42 at its limit of 1");
    assertThat(driver.findElement(By.cssSelector(".progress-message")).getText())
        .isEqualTo("Waiting: key tenant:42 at its limit of 1.");

    js("location.hash = '#/';");
    WebElement held =
        waitFor(By.xpath("//section[@aria-label='Queue default']//span[@class='held']"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> held.getText().equals("1 held (1 key limit), 1 key at limit"));
    assertThat(
            driver
                .findElement(
                    By.xpath("//section[@aria-label='Queue default']//span[@class='limits']"))
                .getText())
        .isEqualTo("1 per key");
    screenshot("dashboard-waiting.png");

    // Once the key's running job ends, the held one starts and no longer says it waits.
    t.offload.cancel(new dev.offload.Job.JobId(first));
    js("location.hash = arguments[0];", "#/jobs/" + second);
    waitFor(By.cssSelector(".job-title .badge.st-running"));
    assertThat((Boolean) js("return !document.querySelector('dd[data-waiting]').dataset.waiting;"))
        .isTrue();
  }

  private WebElement waitFor(By by) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () ->
                driver.findElements(by).stream()
                    .filter(WebElement::isDisplayed)
                    .findFirst()
                    .orElse(null),
            e -> e != null);
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(TARGET);
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, TARGET.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
