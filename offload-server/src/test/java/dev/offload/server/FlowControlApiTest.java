package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job.JobId;
import dev.offload.QueueOptions;
import dev.offload.QueueOptions.Rate;
import dev.offload.server.TestServer.Res;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flow control over real HTTP: queue settings, unique and concurrency keys on enqueue. */
class FlowControlApiTest {
  @TempDir Path dir;

  TestServer t;

  @BeforeEach
  void start() {
    t = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    t.close();
  }

  private Res put(String path, String json) {
    return t.send(
        t.request(path)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  private JsonNode queue(String name) {
    for (JsonNode q : t.get("/api/queues").json().get("queues")) {
      if (q.get("name").asText().equals(name)) {
        return q;
      }
    }
    throw new AssertionError("no queue " + name + " in GET /api/queues");
  }

  @Test
  void putSetsTheQueuesLimitsForEveryNodeAndGetListsThem() {
    Res r =
        put(
            "/api/queues/sync",
            "{\"maxRunning\": 4, \"perKey\": 1, \"rate\": \"10/s\", \"ratePerKey\": true,"
                + " \"fair\": true, \"aging\": \"5m\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("name").asText()).isEqualTo("sync");
    assertThat(r.json().get("maxRunning").asInt()).isEqualTo(4);

    JsonNode q = queue("sync");
    assertThat(q.get("maxRunning").asInt()).isEqualTo(4);
    assertThat(q.get("perKey").asInt()).isEqualTo(1);
    assertThat(q.get("rate").asText()).isEqualTo("10/s");
    assertThat(q.get("ratePerKey").asBoolean()).isTrue();
    assertThat(q.get("fair").asBoolean()).isTrue();
    assertThat(q.get("aging").asText()).isEqualTo("5m");
    assertThat(t.offload.queueOptions("sync"))
        .isEqualTo(
            QueueOptions.none()
                .maxRunning(4)
                .perKey(1)
                .rate(Rate.perSecond(10))
                .ratePerKey(true)
                .fair(true)
                .aging(Duration.ofMinutes(5)));

    // PUT replaces: what the body leaves out is no limit.
    assertThat(put("/api/queues/sync", "{\"rate\": \"600/min\"}").status()).isEqualTo(200);
    q = queue("sync");
    assertThat(q.get("maxRunning").isNull()).isTrue();
    assertThat(q.get("rate").asText()).isEqualTo("600/min");
  }

  @Test
  void badQueueSettingsAre422NamingTheFieldAndChangeNothing() {
    put("/api/queues/sync", "{\"maxRunning\": 4}");
    assertInvalid("{\"rate\": \"0/s\"}", "rate", "at least 1");
    assertInvalid("{\"rate\": \"10/fortnight\"}", "rate", "fortnight");
    assertInvalid("{\"perKey\": -1}", "perKey", "perKey must be between 1");
    assertInvalid("{\"maxRunning\": \"four\"}", "maxRunning", "whole number");
    assertInvalid("{\"ratePerKey\": true}", "ratePerKey", "needs a rate");
    assertInvalid("{\"aging\": \"soon\"}", "aging", "aging must be a duration");
    assertInvalid("{\"max_running\": 3}", "max_running", "unknown field");
    assertThat(put("/api/queues/no%20spaces", "{}").status()).isEqualTo(422);
    assertThat(t.offload.queueOptions("sync")).isEqualTo(QueueOptions.none().maxRunning(4));
  }

  private void assertInvalid(String body, String field, String detail) {
    Res r = put("/api/queues/sync", body);
    assertThat(r.status()).as(body).isEqualTo(422);
    assertThat(r.json().path("field").asText(null)).as(body).isEqualTo(field);
    assertThat(r.json().get("detail").asText()).as(body).contains(detail);
  }

  @Test
  void aDuplicateUniqueKeyAnswers200WithTheExistingJobAndTheDuplicateHeader() {
    String body =
        "{\"kind\": \"echo\", \"args\": {\"v\": 1}, \"delay\": \"1h\", \"uniqueKey\": \"reindex:1\","
            + " \"concurrencyKey\": \"tenant:1\"}";
    Res first = t.post("/api/jobs", body);
    assertThat(first.status()).isEqualTo(202);
    assertThat(first.header("Offload-Duplicate")).isNull();
    assertThat(first.json().get("uniqueKey").asText()).isEqualTo("reindex:1");
    assertThat(first.json().get("concurrencyKey").asText()).isEqualTo("tenant:1");

    Res again = t.post("/api/jobs", body.replace("\"v\": 1", "\"v\": 2"));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("Offload-Duplicate")).isEqualTo("true");
    assertThat(again.json().get("id").asLong()).isEqualTo(first.json().get("id").asLong());
    assertThat(again.json().get("args").get("v").asInt()).isEqualTo(1);
  }

  @Test
  void onDuplicateReplaceUpdatesAJobThatHasNotStarted() {
    Res first =
        t.post(
            "/api/jobs",
            "{\"kind\": \"echo\", \"args\": {\"edit\": 1}, \"delay\": \"1h\", \"uniqueKey\": \"idx\"}");
    Res replaced =
        t.post(
            "/api/jobs",
            "{\"kind\": \"echo\", \"args\": {\"edit\": 2}, \"delay\": \"2h\", \"uniqueKey\": \"idx\","
                + " \"onDuplicate\": \"replace\"}");
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(replaced.header("Offload-Duplicate")).isEqualTo("true");
    long id = first.json().get("id").asLong();
    assertThat(replaced.json().get("id").asLong()).isEqualTo(id);
    assertThat(t.offload.job(new JobId(id)).orElseThrow().args().get("edit").asInt()).isEqualTo(2);
  }

  @Test
  void badKeysAndUniqueOptionsAre422NamingTheFieldAndCreateNothing() {
    String longKey = "k".repeat(256);
    assertEnqueueInvalid("\"concurrencyKey\": \"\"", "concurrencyKey", "1-255 characters");
    assertEnqueueInvalid(
        "\"concurrencyKey\": \"" + longKey + "\"", "concurrencyKey", "1-255 characters, got 256");
    assertEnqueueInvalid("\"uniqueKey\": \"\"", "uniqueKey", "1-255 characters");
    assertEnqueueInvalid(
        "\"uniqueKey\": \"" + longKey + "\"", "uniqueKey", "1-255 characters, got 256");
    assertEnqueueInvalid("\"concurrencyKey\": 42", "concurrencyKey", "string");
    assertEnqueueInvalid("\"uniqueFor\": \"1h\"", "uniqueFor", "needs a uniqueKey");
    assertEnqueueInvalid("\"uniqueKey\": \"u\", \"uniqueFor\": \"soon\"", "uniqueFor", "duration");
    assertEnqueueInvalid(
        "\"uniqueKey\": \"u\", \"onDuplicate\": \"merge\"", "onDuplicate", "replace");
    assertThat(t.get("/api/jobs").json().get("jobs").size()).as("nothing was created").isZero();
    // 255 characters is within the limit.
    assertThat(
            t.post(
                    "/api/jobs",
                    "{\"kind\": \"echo\", \"delay\": \"1h\", \"concurrencyKey\": \""
                        + "k".repeat(255)
                        + "\"}")
                .status())
        .isEqualTo(202);
  }

  private void assertEnqueueInvalid(String fields, String field, String detail) {
    Res r = t.post("/api/jobs", "{\"kind\": \"echo\", \"delay\": \"1h\", " + fields + "}");
    assertThat(r.status()).as(fields).isEqualTo(422);
    assertThat(r.json().path("field").asText(null)).as(fields).isEqualTo(field);
    assertThat(r.json().get("detail").asText()).as(fields).contains(detail);
  }

  // ---------------------------------------------------------------- why it waits

  private long enqueue(String body) {
    Res r = t.post("/api/jobs", body);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.json().get("id").asLong();
  }

  private JsonNode job(long id) {
    return t.get("/api/jobs/" + id).json();
  }

  private void awaitRunning(long id) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !job(id).get("startedAt").isNull() && "running".equals(state(id)));
  }

  private String state(long id) {
    return job(id).get("state").asText();
  }

  @Test
  void aJobHeldByItsKeyOrARateSaysWhyAndTheQueuesAndMetricsCountIt() {
    assertThat(put("/api/queues/default", "{\"perKey\": 1}").status()).isEqualTo(200);
    assertThat(put("/api/queues/reports", "{\"rate\": \"1/min\"}").status()).isEqualTo(200);
    String tenant42 = "{\"kind\": \"block\", \"concurrencyKey\": \"tenant:42\"}";
    long first = enqueue(tenant42);
    awaitRunning(first);
    long second = enqueue(tenant42);
    long other = enqueue("{\"kind\": \"block\", \"concurrencyKey\": \"tenant:7\"}");
    awaitRunning(other);
    assertThat(job(second).get("waiting").asText())
        .isEqualTo("waiting: key tenant:42 at its limit of 1");
    assertThat(state(second)).isEqualTo("available");
    assertThat(job(first).get("waiting").isNull()).isTrue();

    // A rate of 1/min lets two start (one of tolerance at the window's edge), then holds the rest.
    for (int i = 0; i < 3; i++) {
      enqueue("{\"kind\": \"reports.render\"}");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> queue("reports").get("counts").get("succeeded").asInt() == 2);
    long held = enqueue("{\"kind\": \"reports.render\"}");
    assertThat(job(held).get("waiting").asText()).isEqualTo("waiting: rate 1/min");

    JsonNode q = queue("default");
    assertThat(q.get("slotsInUse").asInt()).isEqualTo(2);
    assertThat(q.get("keysAtLimit").asInt()).isEqualTo(2);
    assertThat(q.get("waitingOnLimits").get("keyLimit").asInt()).isEqualTo(1);
    assertThat(q.get("waitingOnLimits").get("total").asInt()).isEqualTo(1);
    JsonNode reports = queue("reports");
    assertThat(reports.get("waitingOnLimits").get("rate").asInt()).isEqualTo(2);
    assertThat(reports.get("slotsInUse").asInt()).isZero();

    String m = t.get("/metrics").body();
    assertThat(metric(m, "offload_queue_slots_in_use{queue=\"default\"}")).isEqualTo(2);
    assertThat(metric(m, "offload_queue_keys_at_limit{queue=\"default\"}")).isEqualTo(2);
    assertThat(metric(m, "offload_queue_waiting_on_limit{limit=\"per_key\",queue=\"default\"}"))
        .isEqualTo(1);
    assertThat(metric(m, "offload_queue_waiting_on_limit{limit=\"rate\",queue=\"reports\"}"))
        .isEqualTo(2);
    assertThat(metric(m, "offload_queue_waiting_on_limit{limit=\"max_running\",queue=\"default\"}"))
        .isZero();
    assertThat(m).as("keys are never labels").doesNotContain("tenant:42");
  }

  @Test
  void aJobHeldByTheQueueLimitOrAPauseSaysSoAndRunsOnceTheSlotFrees() {
    assertThat(put("/api/queues/default", "{\"maxRunning\": 1}").status()).isEqualTo(200);
    long first = enqueue("{\"kind\": \"block\"}");
    awaitRunning(first);
    long second = enqueue("{\"kind\": \"block\"}");
    assertThat(job(second).get("waiting").asText())
        .isEqualTo("waiting: queue default at its limit of 1");
    assertThat(queue("default").get("waitingOnLimits").get("queueLimit").asInt()).isEqualTo(1);

    assertThat(t.post("/api/jobs/" + first + "/cancel").status()).isIn(200, 202);
    awaitRunning(second);
    assertThat(job(second).get("waiting").isNull()).isTrue();

    assertThat(t.post("/api/queues/reports/pause").status()).isEqualTo(200);
    long paused = enqueue("{\"kind\": \"reports.render\"}");
    assertThat(job(paused).get("waiting").asText()).isEqualTo("waiting: queue reports is paused");
    assertThat(queue("reports").get("waitingOnLimits").get("paused").asInt()).isEqualTo(1);
  }

  private static double metric(String metrics, String series) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "^" + java.util.regex.Pattern.quote(series) + " (\\S+)$",
                java.util.regex.Pattern.MULTILINE)
            .matcher(metrics);
    assertThat(m.find()).as("series %s in%n%s", series, metrics).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
