package dev.offload.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job.JobId;
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
 * The dashboard at {@code /offload/} inside a Spring Boot application, in headless Chromium: an
 * admin signs in through the application's own form login (Spring Security), and the dashboard's
 * live table, fed by requests relative to {@code /offload/}, shows a job enqueued in the
 * application. Needs /usr/bin/chromium and /usr/bin/chromedriver (skipped without them, except
 * under {@code CI=true}).
 */
@SpringBootTest(
    classes = OrdersApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class DashboardUnderPathBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @RegisterExtension static final FreshDatabase db = FreshDatabase.sqlite();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry r) {
    r.add("spring.datasource.url", db::url);
  }

  @Autowired Offload offload;
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
        "--window-size=1400,1000",
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
  void anAdminSignsInAndTheDashboardUnderTheApplicationsPathShowsItsJobs() {
    String base = "http://127.0.0.1:" + port;
    driver.get(base + "/login");
    waitFor(By.name("username")).sendKeys("admin");
    driver.findElement(By.name("password")).sendKeys("admin-pass");
    driver.findElement(By.cssSelector("button[type=submit]")).click();
    await().atMost(Duration.ofSeconds(15)).until(() -> !driver.getCurrentUrl().contains("/login"));

    driver.get(base + "/offload/#/jobs");
    // The live indicator turns on once the dashboard's event stream (/offload/api/events) is open.
    waitFor(By.cssSelector("#live.on"));
    JobId id = offload.enqueue("orders.sync", new OrdersApp.SyncArgs("browser", 3));
    WebElement link = waitFor(By.cssSelector("a.id-link[href='#/jobs/" + id.value() + "']"));
    link.click();
    waitFor(By.cssSelector(".job-title .badge.st-succeeded"));
    assertThat(driver.getCurrentUrl()).startsWith(base + "/offload/");
  }

  private WebElement waitFor(By by) {
    return await()
        .atMost(Duration.ofSeconds(20))
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
