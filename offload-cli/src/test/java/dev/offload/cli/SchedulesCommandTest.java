package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** offload schedules [add|pause|resume|delete|run], against a real SQLite file and a worker. */
class SchedulesCommandTest {
  @TempDir Path dir;

  private String store;

  @BeforeEach
  void store() {
    store = "--store=sqlite:" + dir.resolve("offload.db");
  }

  @Test
  void addListPauseResumeRunAndDelete() {
    Cli.Result added =
        Cli.run(
            "schedules",
            "add",
            "monthly-report",
            "--kind",
            "demo.sleep",
            "--args",
            "{\"ms\": 1}",
            "--cron",
            "0 6 1 * *",
            "--zone",
            "Europe/Copenhagen",
            "--priority",
            "2",
            store);
    assertThat(added.code()).as(added.toString()).isZero();
    assertThat(added.out())
        .contains("monthly-report")
        .contains("0 6 1 * * (Europe/Copenhagen)")
        .contains("catch-up  latest");

    Cli.Result list = Cli.run("schedules", store);
    assertThat(list.code()).as(list.toString()).isZero();
    assertThat(list.out()).contains("monthly-report").contains("next").contains("last job  -");

    Cli.Result json = Cli.run("schedules", "--json", store);
    JsonNode doc = Json.tree(json.out());
    JsonNode s = doc.get("schedules").get(0);
    assertThat(s.get("name").asText()).isEqualTo("monthly-report");
    assertThat(s.get("zone").asText()).isEqualTo("Europe/Copenhagen");
    assertThat(s.get("priority").asInt()).isEqualTo(2);
    assertThat(s.get("next")).hasSize(3);

    assertThat(Cli.run("schedules", "pause", "monthly-report", store).out()).contains("paused");
    assertThat(Cli.run("schedules", store).out()).contains("[paused]");
    assertThat(Cli.run("schedules", "resume", "monthly-report", store).out()).contains("resumed");

    Cli.Result run = Cli.run("schedules", "run", "monthly-report", store);
    assertThat(run.code()).as(run.toString()).isZero();
    String id = run.out().strip();
    JsonNode job = Json.tree(Cli.run("status", id, "--json", store).out());
    assertThat(job.get("schedule").asText()).isEqualTo("monthly-report");
    JsonNode jobs = Json.tree(Cli.run("jobs", "--json", store).out());
    assertThat(jobs.get("jobs").get(0).get("schedule").asText()).isEqualTo("monthly-report");
    assertThat(Cli.run("status", id, store).out()).contains("schedule");
    assertThat(
            Json.tree(Cli.run("schedules", "--json", store).out())
                .get("schedules")
                .get(0)
                .get("lastJob")
                .asText())
        .isEqualTo(id);

    assertThat(Cli.run("schedules", "delete", "monthly-report", store).code()).isZero();
    assertThat(Cli.run("schedules", store).out()).contains("no schedules");
    Cli.Result gone = Cli.run("schedules", "delete", "monthly-report", store);
    assertThat(gone.code()).isEqualTo(1);
    assertThat(gone.err()).contains("no schedule 'monthly-report'");
  }

  @Test
  void aWorkerFiresAnIntervalScheduleWithRunAtTheTick() throws Exception {
    assertThat(
            Cli.run(
                    "schedules",
                    "add",
                    "often",
                    "--kind",
                    "demo.sleep",
                    "--args",
                    "{\"ms\": 1}",
                    "--every",
                    "1s",
                    store)
                .code())
        .isZero();
    Cli.Worker worker = Cli.startWorker("worker", store, "--shutdown-grace", "1s");
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() ->
              !Json.tree(Cli.run("schedules", "--json", store).out())
                  .get("schedules")
                  .get(0)
                  .get("lastJob")
                  .isNull());
    } finally {
      worker.stop();
    }
    String id =
        Json.tree(Cli.run("schedules", "--json", store).out())
            .get("schedules")
            .get(0)
            .get("lastJob")
            .asText();
    JsonNode job = Json.tree(Cli.run("status", id, "--json", store).out());
    assertThat(job.get("schedule").asText()).isEqualTo("often");
    assertThat(Instant.parse(job.get("runAt").asText()).toEpochMilli() % 1000).isZero();
  }

  @Test
  void badInputIsAUsageErrorNamingTheFieldAndAddsNothing() {
    Cli.Result cron =
        Cli.run("schedules", "add", "x", "--kind", "demo.sleep", "--cron", "0 0 32 * *", store);
    assertThat(cron.code()).isEqualTo(2);
    assertThat(cron.err()).contains("day-of-month field '32'").contains("1-31");
    Cli.Result both =
        Cli.run(
            "schedules",
            "add",
            "x",
            "--kind",
            "demo.sleep",
            "--cron",
            "@daily",
            "--every",
            "1m",
            store);
    assertThat(both.code()).isEqualTo(2);
    Cli.Result zone =
        Cli.run(
            "schedules",
            "add",
            "x",
            "--kind",
            "demo.sleep",
            "--cron",
            "@daily",
            "--zone",
            "Mars/Base",
            store);
    assertThat(zone.code()).isEqualTo(2);
    assertThat(zone.err()).contains("--zone");
    Cli.Result policy =
        Cli.run(
            "schedules",
            "add",
            "x",
            "--kind",
            "demo.sleep",
            "--every",
            "1m",
            "--catch-up",
            "some",
            store);
    assertThat(policy.code()).isEqualTo(2);
    assertThat(policy.err()).contains("catch-up");
    Cli.Result kind =
        Cli.run("schedules", "add", "x", "--kind", "no.such.kind", "--every", "1m", store);
    assertThat(kind.code()).isEqualTo(1);
    assertThat(Cli.run("schedules", store).out()).contains("no schedules");
    Cli.Result twice;
    Cli.run("schedules", "add", "x", "--kind", "demo.sleep", "--every", "1m", store);
    twice = Cli.run("schedules", "add", "x", "--kind", "demo.sleep", "--every", "2m", store);
    assertThat(twice.code()).isEqualTo(1);
    assertThat(twice.err()).contains("exists already");
  }
}
