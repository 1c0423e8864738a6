package dev.offload.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.testsupport.FreshDatabase;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example on real PostgreSQL (a fresh schema), over real HTTP on a random port, signed in
 * through its form login: inline and deferred jobs, who may read a job, who sees the dashboard, and
 * health without a login.
 */
@SpringBootTest(
    classes = SpringOrdersApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class SpringOrdersPostgresTest {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  private static final ObjectMapper json = new ObjectMapper();
  private static final Pattern PROGRESS_SRC =
      Pattern.compile("<offload-progress[^>]*src=\"([^\"]+)\"");

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry r) {
    r.add("spring.datasource.url", db::url);
    r.add("offload.schema", db::schema);
  }

  @Autowired Offload offload;
  @Autowired ConfigurableApplicationContext context;
  @LocalServerPort int port;
  private static ConfigurableApplicationContext started;

  @BeforeEach
  void remember() {
    started = context;
  }

  /** Stops the workers before FreshDatabase drops the schema (it runs before Spring closes). */
  @AfterAll
  static void stopWorkers() {
    if (started != null) {
      started.getBean(Offload.class).stop();
    }
  }

  @Test
  void aSmallSyncAnswersInlineAndALargeOneRedirectsToItsJobPage() throws Exception {
    Session alice = Session.signedIn(port, "alice");

    HttpResponse<String> small = alice.post("/sync", "orders=2", "/");
    assertThat(small.statusCode()).isEqualTo(200);
    assertThat(small.body()).contains("Order sync: succeeded", "&quot;imported&quot; : 2");

    HttpResponse<String> large = alice.post("/sync", "orders=300", "/");
    assertThat(large.statusCode()).isEqualTo(303);
    String location = large.headers().firstValue("Location").orElseThrow();
    assertThat(location).matches(".*/jobs/\\d+");
    JobId id = JobId.parse(location.substring(location.lastIndexOf('/') + 1));
    assertThat(offload.job(id).orElseThrow().state().isFinal()).isFalse();

    HttpResponse<String> page = alice.get("/jobs/" + id.value());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("/offload/offload-progress.js");
    String src = progressSrc(page.body());
    assertThat(src).startsWith("/offload/api/jobs/" + id.value() + "?token=");

    // The signed URL opens that job to its holder without any login.
    HttpResponse<String> progress = Session.anonymous(port).get(src);
    assertThat(progress.statusCode()).isEqualTo(200);
    JsonNode view = json.readTree(progress.body());
    assertThat(view.get("id").asLong()).isEqualTo(id.value());
    assertThat(view.get("kind").asText()).isEqualTo("orders.sync");
    offload.cancel(id);
  }

  @Test
  void aUserCannotReadAnotherUsersJobPageOrItsProgress() throws Exception {
    Session alice = Session.signedIn(port, "alice");
    Session bob = Session.signedIn(port, "bob");
    HttpResponse<String> large = alice.post("/reports", "month=2026-11", "/");
    assertThat(large.statusCode()).isEqualTo(303);
    String location = large.headers().firstValue("Location").orElseThrow();
    long id = Long.parseLong(location.substring(location.lastIndexOf('/') + 1));
    HttpResponse<String> bobsOwn = bob.post("/reconcile", "payments=400", "/");
    assertThat(bobsOwn.statusCode()).isEqualTo(303);
    String bobsLocation = bobsOwn.headers().firstValue("Location").orElseThrow();
    String bobsSrc =
        progressSrc(bob.get(bobsLocation.substring(bobsLocation.indexOf("/jobs/"))).body());
    String bobsToken = bobsSrc.substring(bobsSrc.indexOf("?token="));

    assertThat(alice.get("/jobs/" + id).statusCode()).isEqualTo(200);
    assertThat(bob.get("/jobs/" + id).statusCode()).isEqualTo(404);
    assertThat(bob.get("/offload/api/jobs/" + id).statusCode()).isEqualTo(403);
    assertThat(bob.get("/offload/api/jobs/" + id + "/events").statusCode()).isEqualTo(403);
    // Bob's token is for his own job: it opens nothing of Alice's.
    assertThat(bob.get("/offload/api/jobs/" + id + bobsToken).statusCode()).isEqualTo(403);
    assertThat(bob.get("/offload/api/jobs/" + id + "/events" + bobsToken).statusCode())
        .isEqualTo(403);
    // An admin may open any job's page.
    assertThat(Session.signedIn(port, "admin").get("/jobs/" + id).statusCode()).isEqualTo(200);

    offload.cancel(JobId.of(id));
    offload.cancel(JobId.parse(bobsLocation.substring(bobsLocation.lastIndexOf('/') + 1)));
  }

  @Test
  void onlyAdminsSeeTheDashboard() throws Exception {
    assertThat(Session.signedIn(port, "alice").get("/offload/").statusCode()).isEqualTo(403);
    assertThat(Session.signedIn(port, "alice").get("/offload/api/queues").statusCode())
        .isEqualTo(403);
    HttpResponse<String> dashboard = Session.signedIn(port, "admin").get("/offload/");
    assertThat(dashboard.statusCode()).isEqualTo(200);
    assertThat(dashboard.body()).containsIgnoringCase("offload");
    HttpResponse<String> anonymous = Session.anonymous(port).get("/offload/");
    assertThat(anonymous.statusCode()).isEqualTo(302);
    assertThat(anonymous.headers().firstValue("Location").orElseThrow()).endsWith("/login");
  }

  @Test
  void healthAnswersWithoutALoginAndShowsOffloadsComponent() throws Exception {
    Session anonymous = Session.anonymous(port);
    HttpResponse<String> health = anonymous.get("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode doc = json.readTree(health.body());
    assertThat(doc.get("status").asText()).isEqualTo("UP");
    assertThat(doc.at("/components/offload/status").asText()).isEqualTo("UP");
    assertThat(doc.at("/components/db/status").asText()).isEqualTo("UP");

    HttpResponse<String> offloadHealth = anonymous.get("/actuator/health/offload");
    assertThat(offloadHealth.statusCode()).isEqualTo(200);
    assertThat(json.readTree(offloadHealth.body()).get("status").asText()).isEqualTo("UP");
  }

  @Test
  void badInputIsA422NamingTheField() throws Exception {
    HttpResponse<String> res = Session.signedIn(port, "alice").post("/sync", "orders=lots", "/");
    assertThat(res.statusCode()).isEqualTo(422);
    assertThat(res.body()).contains("orders: must be a whole number");
  }

  private static String progressSrc(String page) {
    Matcher m = PROGRESS_SRC.matcher(page);
    assertThat(m.find()).as("an <offload-progress> with a src on the page").isTrue();
    return m.group(1).replace("&amp;", "&");
  }
}
