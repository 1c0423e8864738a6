package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Offload;
import dev.offload.Schedule;
import dev.offload.internal.Json;
import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * offload schedules [add|pause|resume|delete|run], against a real SQLite file and a worker; {@link
 * PostgresSchedulesCommandTest} runs the same against PostgreSQL.
 */
class SchedulesCommandTest {
  @TempDir Path dir;

  String store;

  @BeforeEach
  void store() {
    store = "--store=sqlite:" + dir.resolve("offload.db");
  }

  /** The same store as {@link #store}, opened from Java (for schedules declared in code). */
  Store openStore() {
    return SqliteStore.open(dir.resolve("offload.db"));
  }

  @Test
  void theListShowsTheNextThreeFireTimesTheLastJobAndItsStateAndWhetherPaused() {
    Instant before = Instant.now();
    Cli.Result added =
        Cli.run(
            "schedules",
            "add",
            "hourly-sums",
            "--kind",
            "demo.sleep",
            "--args",
            "{\"ms\": 1}",
            "--every",
            "1h",
            "--queue",
            "reports",
            "--priority",
            "3",
            "--catch-up",
            "all",
            store);
    Instant after = Instant.now();
    assertThat(added.code()).as(added.toString()).isZero();

    String list = Cli.run("schedules", store).out();
    // The first tick is the first whole hour after it was added, then every hour.
    assertThat(list)
        .contains("hourly-sums\n")
        .contains("kind      demo.sleep in queue reports, priority 3")
        .contains("when      every 1h")
        .contains("catch-up  all")
        .containsAnyOf("next      " + threeHours(before), "next      " + threeHours(after))
        .contains("last job  -");
    JsonNode doc = Json.tree(Cli.run("schedules", "--json", store).out()).get("schedules").get(0);
    assertThat(doc.get("catchUp").asText()).isEqualTo("all");
    assertThat(doc.get("queue").asText()).isEqualTo("reports");
    assertThat(doc.get("paused").asBoolean()).isFalse();

    String id = Cli.run("schedules", "run", "hourly-sums", store).out().strip();
    assertThat(Cli.run("schedules", store).out()).contains("last job  " + id + " (available)");
    assertThat(Cli.run("cancel", id, store).code()).isZero();
    assertThat(Cli.run("schedules", store).out()).contains("last job  " + id + " (cancelled)");

    assertThat(Cli.run("schedules", "pause", "hourly-sums", store).code()).isZero();
    assertThat(Cli.run("schedules", store).out()).contains("hourly-sums  [paused]\n");
    assertThat(
            Json.tree(Cli.run("schedules", "--json", store).out())
                .get("schedules")
                .get(0)
                .get("paused")
                .asBoolean())
        .isTrue();
    assertThat(Cli.run("schedules", "resume", "hourly-sums", store).code()).isZero();
    assertThat(Cli.run("schedules", store).out())
        .contains("hourly-sums\n")
        .doesNotContain("[paused]");
  }

  private static String threeHours(Instant t) {
    Instant first = t.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
    return first + ", " + first.plus(1, ChronoUnit.HOURS) + ", " + first.plus(2, ChronoUnit.HOURS);
  }

  @Test
  void aScheduleTheCodeNoLongerDeclaresIsListedAsDisabled() {
    try (Offload first =
        Offload.builder()
            .store(openStore())
            .register("reports.monthly", JsonNode.class, (args, ctx) -> null)
            .schedule(
                "monthly-report",
                Schedule.cron("0 6 1 * *", ZoneId.of("Europe/Copenhagen")),
                "reports.monthly",
                null)
            .build()) {
      first.start();
    }
    assertThat(Cli.run("schedules", store).out())
        .contains("monthly-report\n")
        .contains("when      0 6 1 * * (Europe/Copenhagen)");

    // The next version of the code declares another schedule and no longer this one.
    try (Offload second =
        Offload.builder()
            .store(openStore())
            .register("reports.weekly", JsonNode.class, (args, ctx) -> null)
            .schedule("weekly-report", Schedule.cron("@weekly"), "reports.weekly", null)
            .build()) {
      second.start();
    }
    String list = Cli.run("schedules", store).out();
    assertThat(list)
        .contains("monthly-report  [disabled: no longer declared in code]")
        .contains("weekly-report\n");
    JsonNode monthly = Json.tree(Cli.run("schedules", "--json", store).out()).get("schedules");
    assertThat(monthly.findValuesAsText("name")).contains("monthly-report", "weekly-report");
    for (JsonNode s : monthly) {
      assertThat(s.get("disabled").asBoolean())
          .isEqualTo(s.get("name").asText().equals("monthly-report"));
    }
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
    // The worker has stopped: nothing fires between reading the schedule and reading its job.
    JsonNode schedule =
        Json.tree(Cli.run("schedules", "--json", store).out()).get("schedules").get(0);
    String id = schedule.get("lastJob").asText();
    Instant tick = Instant.parse(schedule.get("lastTick").asText());
    assertThat(tick.toEpochMilli() % 1000).as("a 1-s schedule ticks on whole seconds").isZero();
    JsonNode job = Json.tree(Cli.run("status", id, "--json", store).out());
    assertThat(job.get("schedule").asText()).isEqualTo("often");
    assertThat(Instant.parse(job.get("runAt").asText())).isEqualTo(tick);
    JsonNode listed = null;
    for (JsonNode j :
        Json.tree(Cli.run("jobs", "--json", "--limit", "1000", store).out()).get("jobs")) {
      if (j.get("id").asText().equals(id)) {
        listed = j;
      }
    }
    assertThat(listed).as("job %s in offload jobs --json", id).isNotNull();
    assertThat(listed.get("schedule").asText()).isEqualTo("often");
    assertThat(Instant.parse(listed.get("runAt").asText())).isEqualTo(tick);
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
