package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job.JobId;
import dev.offload.Job.Stage;
import dev.offload.JobContext;
import dev.offload.internal.Json;
import dev.offload.sqlite.SqliteStore;
import io.javalin.Javalin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * {@code <offload-progress>} in headless Chromium, embedded in an application's page on another
 * origin (another port) under a strict Content-Security-Policy without {@code 'unsafe-inline'},
 * against a server with an admin token the page never has: the bar rises to 100 % over Server-Sent
 * Events with its aria attributes and the result appears; with {@code EventSource} unavailable it
 * polls to the same end; job data stays text; a bad link says so. Screenshots go to {@code
 * target/progress-component*.png}. Set up as {@link DashboardBrowserTest}.
 */
class ProgressComponentBrowserTest {
  static final byte[] KEY = "progress key of the browser test".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  TestServer t;
  Javalin app;
  final Map<String, String> pages = new ConcurrentHashMap<>();
  WebDriver driver;

  @BeforeEach
  void start() throws IOException {
    fetchSeen = new CountDownLatch(1);
    importSeen = new CountDownLatch(1);
    boolean present =
        Files.isExecutable(DashboardBrowserTest.CHROMIUM)
            && Files.isExecutable(DashboardBrowserTest.CHROMEDRIVER);
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI=true requires "
              + DashboardBrowserTest.CHROMIUM
              + " and "
              + DashboardBrowserTest.CHROMEDRIVER);
    }
    Assumptions.assumeTrue(present, "browser test skipped: chromium or chromedriver is missing");
    t =
        TestServer.start(
            SqliteStore.open(dir.resolve("offload.db")),
            /* workers= */ true,
            o ->
                o.progressKey(KEY)
                    .register("orders.sync", JsonNode.class, ProgressComponentBrowserTest::sync),
            s -> s.token("admin-token-the-page-never-sees"));
    // The application: a second server on another port, so the page is of another origin.
    app =
        Javalin.create(
                c -> {
                  c.startup.showJavalinBanner = false;
                  c.jetty.host = "127.0.0.1";
                  c.jetty.port = 0;
                  c.routes.get(
                      "/{name}",
                      ctx -> {
                        String body = pages.get("/" + ctx.pathParam("name"));
                        // The application's own strict policy: scripts from itself and the Offload
                        // server, connections
                        // only to the Offload server, no inline script or style at all.
                        ctx.header(
                            "Content-Security-Policy",
                            "default-src 'none'; script-src 'self' "
                                + t.base
                                + "; connect-src "
                                + t.base
                                + "; style-src 'none'; base-uri 'none'");
                        ctx.status(body == null ? 404 : 200)
                            .contentType(
                                ctx.path().endsWith(".js")
                                    ? "text/javascript"
                                    : "text/html; charset=utf-8")
                            .result(body == null ? "not found" : body);
                      });
                })
            .start();
    pages.put(
        "/watch.js",
        """
        window.__values = [];
        customElements.whenDefined('offload-progress').then(() => {
          const el = document.getElementById('p');
          const bar = el.shadowRoot.querySelector('[role=progressbar]');
          new MutationObserver(() => window.__values.push(Number(bar.getAttribute('aria-valuenow'))))
              .observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] });
          el.addEventListener('offload-finished', (e) => { window.__finished = e.detail.state; });
        });
        """);
    pages.put("/no-event-source.js", "window.EventSource = undefined;\n");

    DashboardBrowserTest.SELENIUM_LOG.setLevel(Level.SEVERE);
    System.setProperty("webdriver.chrome.driver", DashboardBrowserTest.CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(DashboardBrowserTest.CHROMIUM.toFile());
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
        "--window-size=900,600",
        "--user-data-dir=" + dir.resolve("chromium-profile"));
    driver =
        new ChromeDriver(
            new ChromeDriverService.Builder()
                .usingDriverExecutable(DashboardBrowserTest.CHROMEDRIVER.toFile())
                .build(),
            options);
  }

  /**
   * Opened by the test once the page has shown the fetch stage, and then the import stage with an
   * ETA.
   */
  static volatile CountDownLatch fetchSeen = new CountDownLatch(1);

  static volatile CountDownLatch importSeen = new CountDownLatch(1);

  /**
   * Two weighted stages, so the element has a stage and (after a few items) an ETA to show. It
   * waits in each stage until the test saw the page show it, so a loaded machine cannot run a stage
   * past unseen.
   */
  static Object sync(JsonNode args, JobContext ctx) throws InterruptedException {
    ctx.stages(Stage.of("Fetching orders", 1), Stage.of("Importing orders", 3));
    ctx.stage("Fetching orders", 10);
    for (int i = 1; i <= 10; i++) {
      Thread.sleep(20);
      ctx.advance(1);
      ctx.message("Fetched page " + i + " of 10");
      if (i == 2) {
        fetchSeen.await(60, TimeUnit.SECONDS);
      }
    }
    ctx.stage("Importing orders", 30);
    for (int i = 1; i <= 30; i++) {
      Thread.sleep(40);
      ctx.advance(1);
      ctx.message("Imported " + i + " of 30 orders");
      if (i == 10) {
        importSeen.await(60, TimeUnit.SECONDS);
      }
    }
    return Json.object().put("imported", 30);
  }

  @AfterEach
  void stop() {
    fetchSeen.countDown();
    importSeen.countDown();
    if (driver != null) {
      driver.quit();
    }
    if (app != null) {
      app.stop();
    }
    if (t != null) {
      t.close();
    }
  }

  /**
   * The application's page: Offload's script from the Offload server, the element with a signed
   * URL.
   */
  String page(String name, String src, String... scriptsBefore) {
    StringBuilder html =
        new StringBuilder(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Your orders</title>");
    for (String s : scriptsBefore) {
      html.append("<script src=\"").append(s).append("\"></script>");
    }
    html.append("<script src=\"")
        .append(t.base)
        .append("/offload-progress.js\" defer></script>")
        .append(
            "<script src=\"/watch.js\" defer></script></head><body><h1>Syncing your orders</h1>")
        .append("<offload-progress id=\"p\" label=\"Order sync\" src=\"")
        .append(src)
        .append("\"></offload-progress>")
        .append("</body></html>");
    pages.put("/" + name, html.toString());
    return "http://127.0.0.1:" + app.port() + "/" + name;
  }

  @Test
  void theBarRisesLiveToOneHundredAndTheResultAppearsOnAPageOfAnotherOrigin() throws IOException {
    long id = t.offload.enqueue("orders.sync", Json.object()).value();

    driver.get(page("sync.html", t.base + t.offload.progressUrl(JobId.of(id))));

    // The job holds early in its first stage until the page has shown it part done.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> {
          int now =
              Integer.parseInt(
                  (String) shadow("[role=progressbar]", "getAttribute('aria-valuenow')"));
          return now > 0 && now < 100;
        });
    fetchSeen.countDown();
    importSeen.countDown();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> "succeeded".equals(js("return window.__finished;")));
    @SuppressWarnings("unchecked")
    List<Number> values = (List<Number>) js("return window.__values;");
    assertThat(values).as("aria-valuenow as it changed").isNotEmpty();
    assertThat(values.get(values.size() - 1).intValue()).isEqualTo(100);
    assertThat(values)
        .as("it rose through values between 0 and 100, live")
        .anySatisfy(v -> assertThat(v.intValue()).isBetween(1, 99));
    assertThat(values.stream().mapToInt(Number::intValue).toArray()).isSorted();
    assertThat(shadow("[role=progressbar]", "getAttribute('aria-valuemin')")).isEqualTo("0");
    assertThat(shadow("[role=progressbar]", "getAttribute('aria-valuemax')")).isEqualTo("100");
    assertThat(shadow("[role=progressbar]", "getAttribute('aria-valuenow')")).isEqualTo("100");
    assertThat(shadow("[role=progressbar]", "getAttribute('aria-label')")).isEqualTo("Order sync");
    assertThat(shadow(".label", "textContent")).isEqualTo("Done");
    assertThat(shadow(".message", "textContent")).isEqualTo("Imported 30 of 30 orders");
    assertThat(Json.tree((String) shadow(".result", "textContent")).get("imported").asInt())
        .isEqualTo(30);
    assertThat(js("return document.getElementById('p').getAttribute('state');"))
        .isEqualTo("succeeded");
    assertThat(js("return document.getElementById('p').hasAttribute('transport');"))
        .as("it followed the event stream, not polling")
        .isEqualTo(false);
    assertThat(
            js(
                "return parseFloat(getComputedStyle(document.getElementById('p').shadowRoot.querySelector('.track')).height);"))
        .as("its styles apply under a CSP without 'unsafe-inline'")
        .isNotEqualTo(0L);
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() ->
            js("return getComputedStyle(document.getElementById('p')"
                    + ".shadowRoot.querySelector('.fill')).width === getComputedStyle(document.getElementById('p').shadowRoot.querySelector('.track')).width;")
                .equals(Boolean.TRUE));
    screenshot("progress-component.png");
  }

  @Test
  void itShowsTheStageTheMessageAndAnEta() {
    long id = t.offload.enqueue("orders.sync", Json.object()).value();

    driver.get(page("staged.html", t.base + t.offload.progressUrl(JobId.of(id))));

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> "Fetching orders".equals(shadow(".label", "textContent")));
    assertThat((String) shadow(".message", "textContent")).startsWith("Fetched page");
    fetchSeen.countDown();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() ->
            "Importing orders".equals(shadow(".label", "textContent"))
                && !String.valueOf(shadow(".eta", "textContent")).isEmpty());
    assertThat((String) shadow(".eta", "textContent"))
        .matches("about \\d+ (s|min) left|about \\d+ h \\d+ min left|almost done");
    assertThat((String) shadow(".message", "textContent")).startsWith("Imported");
    importSeen.countDown();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> "succeeded".equals(js("return window.__finished;")));
    assertThat(shadow(".label", "textContent")).isEqualTo("Done");
    assertThat(shadow(".message", "textContent")).isEqualTo("Imported 30 of 30 orders");
    assertThat(shadow(".eta", "textContent")).as("no ETA once done").isEqualTo("");
  }

  @Test
  void withoutEventSourceItPollsToTheEnd() {
    long id = t.offload.enqueue("orders.sync", Json.object()).value();

    driver.get(
        page("poll.html", t.base + t.offload.progressUrl(JobId.of(id)), "/no-event-source.js"));

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> "Fetching orders".equals(shadow(".label", "textContent")));
    fetchSeen.countDown();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> "Importing orders".equals(shadow(".label", "textContent")));
    importSeen.countDown();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> "succeeded".equals(js("return window.__finished;")));
    assertThat(js("return document.getElementById('p').getAttribute('transport');"))
        .isEqualTo("polling");
    assertThat(shadow("[role=progressbar]", "getAttribute('aria-valuenow')")).isEqualTo("100");
    assertThat(Json.tree((String) shadow(".result", "textContent")).get("imported").asInt())
        .isEqualTo(30);
  }

  @Test
  void aFailedJobShowsItsErrorAsTextAndABadLinkSaysSo() throws IOException {
    String html = "<img src=x onerror=\"window.__xss = 1\"><script>window.__xss = 2</script>";
    long dead = t.offload.enqueue("fail", Map.of("reason", html)).value();
    driver.get(page("dead.html", t.base + t.offload.progressUrl(JobId.of(dead))));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> "dead".equals(js("return window.__finished;")));
    assertThat((String) shadow(".error", "textContent"))
        .isEqualTo("Failed: upstream refused: " + html);
    assertThat(shadow(".error", "getAttribute('role')")).isEqualTo("alert");
    assertThat(
            js(
                "return document.getElementById('p').shadowRoot.querySelectorAll('img, script').length;"))
        .isEqualTo(0L);
    assertThat(js("return typeof window.__xss;")).isEqualTo("undefined");
    screenshot("progress-component-dead.png");

    long other = t.offload.enqueue("echo", Map.of()).value();
    String foreignToken = t.offload.progressToken(JobId.of(other));
    driver.get(page("bad.html", t.base + "/api/jobs/" + dead + "?token=" + foreignToken));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() ->
            String.valueOf(shadow(".error", "textContent")).contains("expired or is not valid"));
    assertThat(shadow(".result", "textContent")).isEqualTo("");
  }

  private Object shadow(String selector, String property) {
    return js(
        "return document.getElementById('p').shadowRoot.querySelector(arguments[0])."
            + property
            + ";",
        selector);
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(DashboardBrowserTest.TARGET);
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(
        shot, DashboardBrowserTest.TARGET.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
