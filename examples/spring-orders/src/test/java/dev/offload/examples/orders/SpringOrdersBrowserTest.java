package dev.offload.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Offload;
import dev.offload.testsupport.FreshDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example in headless Chromium, on its embedded default (a SQLite file): a user signs in,
 * presses "Sync my orders" for a large sync, lands on the job's page and watches the progress bar
 * move until the result appears. Needs /usr/bin/chromium and /usr/bin/chromedriver (skipped without
 * them, except under {@code CI=true}).
 */
@SpringBootTest(
    classes = SpringOrdersApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class SpringOrdersBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final int ORDERS = 120;

  @RegisterExtension static final FreshDatabase db = FreshDatabase.sqlite();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry r) {
    r.add("spring.datasource.url", db::url);
  }

  @Autowired ConfigurableApplicationContext context;
  @LocalServerPort int port;
  @TempDir Path dir;
  private static ConfigurableApplicationContext started;
  WebDriver driver;

  @BeforeEach
  void startBrowser() {
    started = context;
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException("CI=true requires " + CHROMIUM + " and " + CHROMEDRIVER);
    }
    Assumptions.assumeTrue(present, "browser test skipped: chromium or chromedriver is missing");
    Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
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
        "--window-size=1200,900",
        "--user-data-dir=" + dir.resolve("chromium-profile"));
    driver =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(),
            options);
  }

  @AfterEach
  void stopBrowser() {
    if (driver != null) {
      driver.quit();
    }
  }

  @AfterAll
  static void stopWorkers() {
    if (started != null) {
      started.getBean(Offload.class).stop();
    }
  }

  @Test
  void aUserStartsALargeSyncAndWatchesTheBarMoveUntilTheResultAppears() {
    String base = "http://127.0.0.1:" + port;
    driver.get(base + "/");
    // Not signed in: the application's form login.
    waitFor(By.name("username")).sendKeys("alice");
    driver.findElement(By.name("password")).sendKeys("alice");
    driver.findElement(By.cssSelector("button[type=submit]")).click();

    WebElement orders = waitFor(By.name("orders"));
    orders.clear();
    orders.sendKeys(String.valueOf(ORDERS));
    driver.findElement(By.id("sync")).click();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> driver.getCurrentUrl().matches(".*/jobs/\\d+$"));
    waitFor(By.id("progress"));

    // The bar moves: some progress short of the end, then more.
    double first =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(this::barValue, v -> v > 0 && v < 100);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(this::barValue, v -> v > first);

    // The result appears in the element when the job ends.
    String result =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    (String)
                        js(
                            "const r = arguments[0].shadowRoot.querySelector('[part~=result]');"
                                + " return r && !r.hidden ? r.textContent : '';",
                            driver.findElement(By.id("progress"))),
                text -> text.contains("imported"));
    assertThat(result).contains("\"imported\": " + ORDERS).contains("alice");
    assertThat(driver.findElement(By.id("progress")).getAttribute("state")).isEqualTo("succeeded");
    assertThat(barValue()).isEqualTo(100.0);
  }

  private double barValue() {
    Object v =
        js(
            "const b = arguments[0].shadowRoot && arguments[0].shadowRoot"
                + ".querySelector('[role=progressbar]');"
                + " return b ? Number(b.getAttribute('aria-valuenow')) : -1;",
            driver.findElement(By.id("progress")));
    return ((Number) v).doubleValue();
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private WebElement waitFor(By by) {
    return await()
        .atMost(Duration.ofSeconds(30))
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
}
