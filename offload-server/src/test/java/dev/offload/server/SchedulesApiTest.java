package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.server.TestServer.Res;
import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schedule endpoints over real HTTP, with a started node that fires them, on SQLite; {@link
 * PostgresSchedulesApiTest} runs the same on PostgreSQL.
 */
class SchedulesApiTest {
  @TempDir Path dir;

  TestServer t;

  @BeforeEach
  void start() {
    t = TestServer.start(store(), /* workers= */ true, b -> {});
  }

  /** The store under test: a SQLite file in the test's directory. */
  Store store() {
    return SqliteStore.open(dir.resolve("offload.db"));
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

  @Test
  void createListAndFireASchedule() {
    Res created =
        t.post(
            "/api/schedules",
            """
            {"name": "monthly-report", "kind": "echo", "args": {"month": "any"}, "cron": "0 6 1 * *",
             "zone": "Europe/Copenhagen", "priority": 2, "catchUp": "all"}\
            """);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.header("Location")).isEqualTo("/api/schedules/monthly-report");
    JsonNode s = created.json();
    assertThat(s.get("cron").asText()).isEqualTo("0 6 1 * *");
    assertThat(s.get("zone").asText()).isEqualTo("Europe/Copenhagen");
    assertThat(s.get("catchUp").asText()).isEqualTo("all");
    assertThat(s.get("paused").asBoolean()).isFalse();
    assertThat(s.get("next")).hasSize(3);
    Instant next = Instant.parse(s.get("next").get(0).asText());
    // 06:00 in Copenhagen is 05:00 or 04:00 UTC.
    assertThat(next.toString()).matches(".*-01T0[45]:00:00Z");

    Res fast =
        t.post("/api/schedules", "{\"name\": \"fast\", \"kind\": \"echo\", \"every\": \"1s\"}");
    assertThat(fast.status()).as(fast.body()).isEqualTo(201);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> !t.get("/api/schedules").json().get("schedules").get(0).get("lastJob").isNull());

    Res list = t.get("/api/schedules");
    assertThat(list.status()).isEqualTo(200);
    JsonNode fastDoc = list.json().get("schedules").get(0);
    assertThat(fastDoc.get("name").asText()).isEqualTo("fast");
    assertThat(fastDoc.get("every").asText()).isEqualTo("PT1S");
    JsonNode job = t.job(fastDoc.get("lastJob").asLong());
    assertThat(job.get("schedule").asText()).isEqualTo("fast");
    Instant runAt = Instant.parse(job.get("runAt").asText());
    assertThat(runAt.toEpochMilli() % 1000).as("runAt is the tick, a whole second").isZero();

    // Paused, it fires no more: its last job is the job of its last tick, in the job and in the
    // listing of jobs alike.
    assertThat(t.post("/api/schedules/fast/pause").status()).isEqualTo(200);
    JsonNode settled = t.get("/api/schedules/fast").json();
    long lastJob = settled.get("lastJob").asLong();
    Instant lastTick = Instant.parse(settled.get("lastTick").asText());
    JsonNode last = t.job(lastJob);
    assertThat(last.get("schedule").asText()).isEqualTo("fast");
    assertThat(Instant.parse(last.get("runAt").asText())).isEqualTo(lastTick);
    JsonNode listed = null;
    for (JsonNode j : t.get("/api/jobs?limit=1000").json().get("jobs")) {
      if (j.get("id").asLong() == lastJob) {
        listed = j;
      }
    }
    assertThat(listed).as("job %d in GET /api/jobs", lastJob).isNotNull();
    assertThat(listed.get("schedule").asText()).isEqualTo("fast");
    assertThat(Instant.parse(listed.get("runAt").asText())).isEqualTo(lastTick);
    assertThat(list.json().get("schedules").get(1).get("name").asText())
        .isEqualTo("monthly-report");
  }

  @Test
  void pauseResumeRunPutAndDelete() {
    t.post("/api/schedules", "{\"name\": \"r\", \"kind\": \"echo\", \"cron\": \"@daily\"}");
    Res paused = t.post("/api/schedules/r/pause");
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.json().get("paused").asBoolean()).isTrue();
    assertThat(t.post("/api/schedules/r/resume").json().get("paused").asBoolean()).isFalse();

    Res run = t.post("/api/schedules/r/run");
    assertThat(run.status()).isEqualTo(202);
    assertThat(run.json().get("schedule").asText()).isEqualTo("r");
    assertThat(run.header("Location")).isEqualTo("/api/jobs/" + run.json().get("id").asLong());

    Res replaced =
        put("/api/schedules/r", "{\"kind\": \"echo\", \"every\": \"5m\", \"queue\": \"reports\"}");
    assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
    assertThat(replaced.json().get("cron").isNull()).isTrue();
    assertThat(replaced.json().get("every").asText()).isEqualTo("PT5M");
    assertThat(replaced.json().get("queue").asText()).isEqualTo("reports");
    Res putNew = put("/api/schedules/other", "{\"kind\": \"echo\", \"cron\": \"@hourly\"}");
    assertThat(putNew.status()).isEqualTo(200);

    assertThat(t.delete("/api/schedules/r").status()).isEqualTo(204);
    assertThat(t.delete("/api/schedules/r").status()).isEqualTo(404);
    assertThat(t.post("/api/schedules/r/pause").status()).isEqualTo(404);
    assertThat(t.post("/api/schedules/r/run").status()).isEqualTo(404);
  }

  @Test
  void badDefinitionsAre422NamingTheFieldAndNothingIsWritten() {
    Res cron =
        t.post("/api/schedules", "{\"name\": \"x\", \"kind\": \"echo\", \"cron\": \"0 25 * * *\"}");
    assertThat(cron.status()).isEqualTo(422);
    assertThat(cron.json().get("field").asText()).isEqualTo("cron");
    assertThat(cron.json().get("detail").asText())
        .contains("hour field '25'")
        .contains("hour allows 0-23");

    assertField(t.post("/api/schedules", "{\"name\": \"x\", \"kind\": \"echo\"}"), "cron");
    assertField(
        t.post(
            "/api/schedules",
            "{\"name\": \"x\", \"kind\": \"echo\", \"cron\": \"@daily\", \"every\": \"1m\"}"),
        "every");
    assertField(
        t.post(
            "/api/schedules",
            "{\"name\": \"x\", \"kind\": \"echo\", \"cron\": \"@daily\", \"zone\": \"Mars/Base\"}"),
        "zone");
    assertField(
        t.post("/api/schedules", "{\"name\": \"x\", \"kind\": \"nope\", \"cron\": \"@daily\"}"),
        "kind");
    assertField(
        t.post("/api/schedules", "{\"name\": \"x\", \"kind\": \"echo\", \"every\": \"100ms\"}"),
        "every");
    assertField(
        t.post(
            "/api/schedules",
            "{\"name\": \"x\", \"kind\": \"echo\", \"cron\": \"@daily\", \"catchUp\": \"some\"}"),
        "catchUp");
    assertField(
        t.post("/api/schedules", "{\"name\": \"x y\", \"kind\": \"echo\", \"cron\": \"@daily\"}"),
        "name");
    assertField(
        t.post(
            "/api/schedules",
            "{\"name\": \"x\", \"kind\": \"echo\", \"cron\": \"@daily\", \"when\": 1}"),
        "when");
    assertField(
        put("/api/schedules/x", "{\"name\": \"y\", \"kind\": \"echo\", \"cron\": \"@daily\"}"),
        "name");
    assertThat(t.get("/api/schedules").json().get("schedules")).isEmpty();

    t.post("/api/schedules", "{\"name\": \"x\", \"kind\": \"echo\", \"cron\": \"@daily\"}");
    Res twice =
        t.post("/api/schedules", "{\"name\": \"x\", \"kind\": \"echo\", \"cron\": \"@hourly\"}");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(t.get("/api/schedules").json().get("schedules").get(0).get("cron").asText())
        .isEqualTo("@daily");
  }

  private static void assertField(Res r, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.json().get("field").asText()).as(r.body()).isEqualTo(field);
  }
}
