package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** status --follow, retry, cancel, delete and dead, against a real SQLite file and a worker. */
class JobCommandsTest {
  @TempDir Path dir;

  private String store;

  @BeforeEach
  void store() {
    store = "--store=sqlite:" + dir.resolve("offload.db");
  }

  private String state(String id) {
    return Json.tree(Cli.run("status", id, "--json", store).out()).get("state").asText();
  }

  @Test
  void jobsJsonLeavesArgsAndResultOutAsTheApiDoesUnlessFieldsAsks() {
    Cli.Result enqueued = Cli.run("enqueue", "demo.sleep", "--args", "{\"ms\": 1}", store);
    assertThat(enqueued.code()).as(enqueued.toString()).isZero();

    JsonNode page = Json.tree(Cli.run("jobs", "--json", store).out());
    assertThat(page.get("jobs")).hasSize(1);
    assertThat(page.get("jobs").get(0).has("args")).isFalse();
    assertThat(page.get("jobs").get(0).get("kind").asText()).isEqualTo("demo.sleep");

    JsonNode withArgs = Json.tree(Cli.run("jobs", "--json", "--fields", "args", store).out());
    assertThat(withArgs.get("jobs").get(0).get("args").get("ms").asInt()).isEqualTo(1);

    Cli.Result bad = Cli.run("jobs", "--fields", "secrets", store);
    assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
  }

  @Test
  void followDrawsTheSyncsStagesAndRetryingFailedItemsRunsAFollowUp() throws Exception {
    String id = Cli.run("enqueue", "demo.sync", "--args", "{\"items\": 3000}", store).out().strip();
    Cli.Worker worker = Cli.startWorker("worker", store, "--shutdown-grace", "1s");
    try {
      Cli.Result follow = Cli.run("status", id, "--follow", store);
      assertThat(follow.code()).as(follow.toString()).isZero();
      assertThat(follow.out())
          .contains("#" + id + " demo.sync")
          .contains("100.0% succeeded")
          .contains("3 items failed; retry them with: offload retry " + id + " --failed-items");

      JsonNode done = Json.tree(Cli.run("status", id, "--json", store).out());
      assertThat(done.get("progress").get("stages").findValuesAsText("name"))
          .containsExactly("fetch", "import", "verify");
      assertThat(done.get("failedItems").get("count").asInt()).isEqualTo(3);
      assertThat(done.get("result").get("imported").asInt()).isEqualTo(2_997);

      Cli.Result retried = Cli.run("retry", id, "--failed-items", store);
      assertThat(retried.code()).as(retried.toString()).isZero();
      String followUp = retried.out().strip();
      await().atMost(Duration.ofSeconds(20)).until(() -> state(followUp).equals("succeeded"));
      JsonNode child = Json.tree(Cli.run("status", followUp, "--json", store).out());
      assertThat(child.get("parentId").asText()).isEqualTo(id);
      assertThat(child.get("result").get("imported").asInt()).isEqualTo(3);
    } finally {
      worker.stop();
    }
  }

  @Test
  void followExitsOneWhenTheJobDies() throws Exception {
    String id =
        Cli.run("enqueue", "demo.fail", "--args", "{\"times\": 5, \"permanent\": true}", store)
            .out()
            .strip();
    Cli.Worker worker = Cli.startWorker("worker", store, "--shutdown-grace", "1s");
    try {
      Cli.Result follow = Cli.run("status", id, "--follow", store);
      assertThat(follow.code()).isEqualTo(1);
      assertThat(follow.out())
          .contains("dead")
          .contains("last error: dev.offload.PermanentFailure");
    } finally {
      worker.stop();
    }
  }

  @Test
  void deadLetterQueueListsFiltersReplaysAndPurges() throws Exception {
    String a =
        Cli.run("enqueue", "demo.fail", "--args", "{\"times\": 1, \"permanent\": true}", store)
            .out()
            .strip();
    String b =
        Cli.run(
                "enqueue",
                "demo.fail",
                "--args",
                "{\"times\": 1, \"permanent\": true}",
                "--queue",
                "other",
                store)
            .out()
            .strip();
    Cli.Worker worker =
        Cli.startWorker("worker", store, "--queues", "default=2,other=1", "--shutdown-grace", "1s");
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> state(a).equals("dead") && state(b).equals("dead"));

      Cli.Result all = Cli.run("dead", "--json", store);
      assertThat(Json.tree(all.out()).get("jobs")).hasSize(2);
      Cli.Result other = Cli.run("dead", "--queue", "other", "--json", store);
      assertThat(Json.tree(other.out()).get("jobs").findValuesAsText("id")).containsExactly(b);
      Cli.Result byError =
          Cli.run("dead", "--error-class", "java.lang.IllegalStateException", store);
      assertThat(byError.out()).contains("no dead jobs");

      Cli.Result replayed = Cli.run("dead", "--replay", "--queue", "other", store);
      assertThat(replayed.out()).contains("replayed 1 dead job");
      // A replay gives fresh attempts and keeps the history: demo.fail's new first attempt fails
      // again, so the job is dead once more, with both errors on it.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() ->
              Json.tree(Cli.run("status", b, "--json", store).out()).get("errors").size() == 2
                  && state(b).equals("dead"));
      assertThat(state(a)).isEqualTo("dead");

      Cli.Result purged = Cli.run("dead", "--purge", "--queue", "default", "--json", store);
      assertThat(Json.tree(purged.out()).get("purged").asInt()).isEqualTo(1);
      assertThat(state(b)).isEqualTo("dead");
      Cli.Result gone = Cli.run("status", a, store);
      assertThat(gone.code()).isEqualTo(1);
      assertThat(gone.err()).contains("no job " + a);
    } finally {
      worker.stop();
    }
  }

  @Test
  void cancelRetryAndDeleteSayWhatHappenedOrWhyNot() {
    String id =
        Cli.run("enqueue", "demo.sleep", "--args", "{\"ms\": 10}", "--delay", "1h", store)
            .out()
            .strip();
    Cli.Result cancel = Cli.run("cancel", id, store);
    assertThat(cancel.code()).isZero();
    assertThat(cancel.out()).contains("job " + id + " is cancelled");
    assertThat(state(id)).isEqualTo("cancelled");

    Cli.Result retry = Cli.run("retry", id, store);
    assertThat(retry.code()).isZero();
    assertThat(state(id)).isEqualTo("available");

    Cli.Result retryAgain = Cli.run("retry", id, store);
    assertThat(retryAgain.code()).isEqualTo(1);
    assertThat(retryAgain.err()).contains("job " + id + " is available");

    Cli.Result noFailedItems = Cli.run("retry", id, "--failed-items", store);
    assertThat(noFailedItems.code()).isEqualTo(1);
    assertThat(noFailedItems.err()).contains("recorded no failed items");

    assertThat(Cli.run("delete", id, store).out()).contains("job " + id + " deleted");
    Cli.Result missing = Cli.run("delete", id, store);
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("no job " + id);
    assertThat(Cli.run("cancel", "abc", store).code()).isEqualTo(2);
    assertThat(Cli.run("dead", "--replay", "--purge", store).code()).isEqualTo(2);
  }

  @Test
  void workerPrintsALinePerFailureOrDeathAndASummaryWhenCountsChange() throws Exception {
    String flaky = Cli.run("enqueue", "demo.fail", "--args", "{\"times\": 1}", store).out().strip();
    String doomed =
        Cli.run("enqueue", "demo.fail", "--args", "{\"times\": 1, \"permanent\": true}", store)
            .out()
            .strip();
    Cli.run("enqueue", "demo.sleep", "--args", "{\"ms\": 1}", store);
    Cli.Worker worker =
        Cli.startWorker("worker", store, "--summary-every", "100ms", "--shutdown-grace", "1s");
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> worker.out().contains("2 succeeded, 1 retrying, 1 dead"));
      assertThat(worker.out())
          .containsPattern(
              "(?m)^job "
                  + flaky
                  + " demo\\.fail failed \\(attempt 1 of \\d+\\): java\\.lang\\.IllegalStateException:"
                  + " demo\\.fail: attempt 1 fails on purpose.*; retrying at \\S+Z$")
          .containsPattern(
              "(?m)^job "
                  + doomed
                  + " demo\\.fail is dead after 1 attempt: dev\\.offload\\.PermanentFailure: .*"
                  + "\\(offload dead lists it; --replay runs it again\\)$");
    } finally {
      worker.stop();
    }
    // A summary only when something changed: the same counts are not repeated every 100 ms.
    assertThat(worker.out().lines().filter(l -> l.equals("2 succeeded, 1 retrying, 1 dead")))
        .hasSize(1);

    Cli.Result dead = Cli.run("dead", store);
    assertThat(dead.out().lines().toList().get(0))
        .matches("ID +KIND +QUEUE +STATE +ATTEMPT +CREATED +LAST ERROR");
    assertThat(dead.out())
        .containsPattern(
            "(?m)^"
                + doomed
                + " +demo\\.fail .* dev\\.offload\\.PermanentFailure: demo\\.fail: attempt 1 fails on purpose");
  }
}
