package dev.offload.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.testsupport.FreshDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter in a Spring Boot web application on real PostgreSQL (a fresh schema): the
 * auto-configuration, handler beans, {@code @Transactional} enqueue, health, the actuator endpoint,
 * metrics, and the API and dashboard under {@code /offload} behind Spring Security, called over
 * real HTTP on the embedded server's random port.
 */
@SpringBootTest(
    classes = OrdersApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "offload.queues.sync=2",
      "offload.progress-key=a-test-progress-key-of-32-bytes!",
      "reports.cron=0 6 1 * *",
      "management.endpoints.web.exposure.include=health,offload",
      "management.endpoint.health.show-details=always",
      "management.endpoint.health.probes.enabled=true"
    })
@DirtiesContext
class PostgresStarterTest {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  private static final ObjectMapper json = new ObjectMapper();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry r) {
    r.add("spring.datasource.url", db::url);
    r.add("offload.schema", db::schema);
  }

  @Autowired Offload offload;
  @Autowired OrdersApp.OrderService orders;
  @Autowired JdbcTemplate jdbc;
  @Autowired MeterRegistry meters;
  @Autowired ConfigurableApplicationContext context;
  @LocalServerPort int port;

  Web web;
  private static ConfigurableApplicationContext started;

  @BeforeEach
  void setUp() {
    started = context;
    web = new Web(port);
    jdbc.execute("CREATE TABLE IF NOT EXISTS orders (tenant TEXT NOT NULL)");
  }

  /**
   * Stops the workers before FreshDatabase drops the schema (its afterAll runs before Spring closes
   * the context), so they never poll a missing schema.
   */
  @AfterAll
  static void stopWorkers() {
    if (started != null) {
      started.getBean(Offload.class).stop();
    }
  }

  @Test
  void buildsOffloadOnTheApplicationsPostgresDataSourceInTheConfiguredSchema() {
    Integer tables =
        jdbc.queryForObject(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = 'jobs'",
            Integer.class,
            db.schema());
    assertThat(tables).isEqualTo(1);

    JobId id = offload.enqueue("orders.sync", new OrdersApp.SyncArgs("acme", 5));
    await().atMost(Duration.ofSeconds(20)).until(() -> state(id) == JobState.SUCCEEDED);
    assertThat(offload.job(id).orElseThrow().result().get("imported").asInt()).isEqualTo(5);
  }

  @Test
  void registersHandlerBeansWithTheOptionsOfTheirAnnotation() {
    JobOptions sync = offload.kinds().get("orders.sync");
    assertThat(sync.queue()).isEqualTo("sync");
    assertThat(sync.maxAttempts()).isEqualTo(8);
    assertThat(sync.timeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(offload.kinds()).containsKeys("reports.monthly", "test.gate");
    assertThat(offload.queueOptions()).isNotNull();
  }

  @Test
  void transactionalEnqueueIsVisibleOnlyOnceTheTransactionCommits() {
    JobId id = orders.placeOrder("commits", false);

    assertThat(orders.visibleBeforeCommit()).isFalse();
    assertThat(offload.job(id)).isPresent();
    assertThat(
            jdbc.queryForObject("SELECT count(*) FROM orders WHERE tenant = 'commits'", Long.class))
        .isEqualTo(1);
    await().atMost(Duration.ofSeconds(20)).until(() -> state(id) == JobState.SUCCEEDED);
  }

  @Test
  void aRolledBackTransactionLeavesNoJob() {
    assertThatThrownBy(() -> orders.placeOrder("rolls-back", true))
        .hasMessageContaining("rolled back on purpose");

    JobId id = orders.lastJob();
    assertThat(offload.job(id)).isEmpty();
    assertThat(offload.jobs(JobQuery.all().kind("orders.sync")).jobs())
        .extracting(j -> j.args().get("tenant").asText())
        .doesNotContain("rolls-back");
    assertThat(
            jdbc.queryForObject(
                "SELECT count(*) FROM orders WHERE tenant = 'rolls-back'", Long.class))
        .isZero();
  }

  @Test
  void enqueueOutsideATransactionCommitsOnItsOwn() {
    JobId id = offload.enqueue("orders.sync", new OrdersApp.SyncArgs("no-tx", 1));
    assertThat(offload.job(id)).isPresent();
  }

  @Test
  void healthIsUpWithTheStoreAndWorkersAndStaysOutOfLiveness() throws Exception {
    HttpResponse<String> health = web.get("/actuator/health/offload", null);
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode doc = json.readTree(health.body());
    assertThat(doc.get("status").asText()).isEqualTo("UP");
    assertThat(doc.at("/details/workers").asText()).isEqualTo("running");
    assertThat(doc.at("/details/store").asText()).isEqualTo("answering");

    HttpResponse<String> liveness = web.get("/actuator/health/liveness", null);
    assertThat(liveness.statusCode()).isEqualTo(200);
    assertThat(liveness.body()).doesNotContain("offload");
  }

  @Test
  void theActuatorEndpointShowsQueueDepths() throws Exception {
    offload.pauseQueue("reports");
    java.util.List<JobId> ids = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        ids.add(offload.enqueue("reports.monthly", Map.of("n", i)));
      }
      HttpResponse<String> res = web.get("/actuator/offload", null);
      assertThat(res.statusCode()).isEqualTo(200);
      JsonNode doc = json.readTree(res.body());
      assertThat(doc.at("/queues/reports/jobs/available").asLong()).isEqualTo(3);
      assertThat(doc.at("/queues/reports/paused").asBoolean()).isTrue();
      assertThat(doc.get("workers").asText()).isEqualTo("running");
    } finally {
      ids.forEach(offload::cancel);
      offload.resumeQueue("reports");
    }
  }

  @Test
  void countsJobsInTheApplicationsMeterRegistry() {
    JobId id = offload.enqueue("orders.sync", new OrdersApp.SyncArgs("metered", 1));
    await().atMost(Duration.ofSeconds(20)).until(() -> state(id) == JobState.SUCCEEDED);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() ->
            meters.find("offload.jobs.succeeded").tag("kind", "orders.sync").counter() != null
                && meters
                        .find("offload.jobs.succeeded")
                        .tag("kind", "orders.sync")
                        .counter()
                        .count()
                    >= 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> meters.find("offload.queue.jobs").tag("queue", "sync").gauges().size() > 0);
  }

  @Test
  void theApiIsServedUnderItsPathAndSpringSecurityDecidesWhoGetsIn() throws Exception {
    assertThat(web.get("/offload/api/queues", null).statusCode()).isEqualTo(401);
    assertThat(web.get("/offload/api/queues", "user").statusCode()).isEqualTo(403);
    HttpResponse<String> queues = web.get("/offload/api/queues", "admin");
    assertThat(queues.statusCode()).isEqualTo(200);
    assertThat(json.readTree(queues.body()).has("queues")).isTrue();

    HttpResponse<String> created =
        web.post(
            "/offload/api/jobs",
            "admin",
            "{\"kind\": \"orders.sync\", \"args\": {\"tenant\": \"http\", \"orders\": 2}}");
    assertThat(created.statusCode()).isEqualTo(202);
    String location = created.headers().firstValue("Location").orElseThrow();
    assertThat(location).matches("/offload/api/jobs/\\d+");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> web.get(location, "admin").body().contains("\"succeeded\""));
  }

  @Test
  void theDashboardIsServedUnderThePathWithItsScripts() throws Exception {
    HttpResponse<String> bare = web.get("/offload", "admin");
    assertThat(bare.statusCode()).isEqualTo(301);
    assertThat(bare.headers().firstValue("Location")).contains("/offload/");

    HttpResponse<String> page = web.get("/offload/", "admin");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script src=\"app.js\"");
    HttpResponse<String> script = web.get("/offload/app.js", "admin");
    assertThat(script.statusCode()).isEqualTo(200);
    // Relative to the page, so it reaches /offload/api/... from /offload/.
    assertThat(script.body()).contains("function rel(path)").doesNotContain("fetch('/api");
    assertThat(web.get("/offload/", "user").statusCode()).isEqualTo(403);
    assertThat(web.get("/offload/offload-progress.js", null).statusCode()).isEqualTo(200);
  }

  @Test
  void anEndUserReadsOneJobWithItsProgressUrlAndNothingElse() throws Exception {
    JobId id = offload.enqueue("orders.sync", new OrdersApp.SyncArgs("end-user", 4));
    await().atMost(Duration.ofSeconds(20)).until(() -> state(id) == JobState.SUCCEEDED);
    String url = offload.progressUrl(id);
    assertThat(url).startsWith("/offload/api/jobs/" + id.value() + "?token=");

    HttpResponse<String> view = web.get(url, null);
    assertThat(view.statusCode()).isEqualTo(200);
    JsonNode doc = json.readTree(view.body());
    assertThat(doc.get("state").asText()).isEqualTo("succeeded");
    assertThat(doc.has("args")).isFalse();

    JobId other = offload.enqueue("orders.sync", new OrdersApp.SyncArgs("someone-else", 1));
    String token = url.substring(url.indexOf("?token=") + 7);
    assertThat(web.get("/offload/api/jobs/" + other.value() + "?token=" + token, null).statusCode())
        .isEqualTo(403);
    assertThat(web.get("/offload/api/jobs/" + other.value(), "user").statusCode()).isEqualTo(403);
  }

  @Test
  void theEventStreamWorksThroughTheApplicationsServletContainer() throws Exception {
    JobId id = offload.enqueue("orders.sync", new OrdersApp.SyncArgs("streamed", 2));
    HttpResponse<java.io.InputStream> res =
        java.net.http.HttpClient.newBuilder()
            .build()
            .send(
                web.request("/offload/api/jobs/" + id.value() + "/events", "admin").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
      String line;
      boolean ended = false;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("data:") && line.contains("\"succeeded\"")) {
          ended = true;
          break;
        }
      }
      assertThat(ended).as("a data line with the succeeded job").isTrue();
    }
  }

  @Test
  void theLoopbackHostGuardDoesNotApplyInsideTheApplication() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      String auth =
          java.util.Base64.getEncoder()
              .encodeToString("admin:admin-pass".getBytes(StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /offload/api/queues HTTP/1.1\r\nHost: orders.example.com\r\nAuthorization: Basic "
                  + auth
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      assertThat(status).isEqualTo("HTTP/1.1 200 ");
    }
  }

  @Test
  void aStateChangeFromAnotherOriginIsRefused() throws Exception {
    HttpResponse<String> res =
        web.send(
            web.request("/offload/api/queues/sync/pause", "admin")
                .header("Origin", "https://evil.example")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(res.statusCode()).isEqualTo(403);
    assertThat(offload.queues())
        .filteredOn(q -> q.name().equals("sync"))
        .allSatisfy(q -> assertThat(q.paused()).isFalse());
  }

  private JobState state(JobId id) {
    return offload.job(id).map(Job::state).orElse(null);
  }
}
