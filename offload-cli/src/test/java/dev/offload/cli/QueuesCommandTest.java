package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * offload queues, queues set, queues pause|resume and enqueue's flow-control options, on a real
 * SQLite file.
 */
class QueuesCommandTest {
  @TempDir Path dir;

  private String store;

  @BeforeEach
  void store() {
    store = "--store=sqlite:" + dir.resolve("offload.db");
  }

  @Test
  void setChangesOnlyTheGivenLimitsAndTheListingShowsThem() {
    Cli.Result set =
        Cli.run(
            "queues",
            "set",
            "sync",
            "--max-running",
            "4",
            "--per-key",
            "1",
            "--rate",
            "10/s",
            "--rate-per-key",
            "--fair",
            "--aging",
            "5m",
            store);
    assertThat(set.code()).as(set.toString()).isZero();
    assertThat(set.out())
        .contains("queue sync: max-running 4, per-key 1, rate 10/s per key, fair, aging 5m");

    Cli.Result loosen =
        Cli.run("queues", "set", "sync", "--max-running", "none", "--no-fair", store);
    assertThat(loosen.code()).as(loosen.toString()).isZero();
    assertThat(loosen.out()).contains("queue sync: per-key 1, rate 10/s per key, aging 5m");

    Cli.Result list = Cli.run("queues", store);
    assertThat(list.code()).as(list.toString()).isZero();
    assertThat(list.out())
        .contains("QUEUE")
        .containsPattern("sync\\s+no\\s+.*per-key 1, rate 10/s per key, aging 5m");
  }

  @Test
  void badValuesAreAClearUsageErrorAndChangeNothing() {
    Cli.run("queues", "set", "sync", "--max-running", "4", store);
    assertUsage(Cli.run("queues", "set", "sync", "--rate", "0/s", store), "at least 1 start");
    assertUsage(
        Cli.run("queues", "set", "sync", "--per-key", "-1", store), "perKey must be between 1");
    assertUsage(Cli.run("queues", "set", "sync", "--rate", "10/fortnight", store), "fortnight");
    assertUsage(
        Cli.run("queues", "set", "sync", "--max-running", "lots", store),
        "--max-running must be a whole number");
    assertUsage(
        Cli.run("queues", "set", "sync", "--rate-per-key", store), "ratePerKey needs a rate");
    assertUsage(Cli.run("queues", "set", "no spaces", "--fair", store), "queue must be");
    assertThat(Cli.run("queues", store).out()).containsPattern("sync\\s+no\\s+.*max-running 4\\n");
  }

  private static void assertUsage(Cli.Result r, String message) {
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).as(r.toString()).contains(message);
    assertThat(r.err().lines().count()).as(r.toString()).isEqualTo(1);
  }

  @Test
  void pauseAndResumeShowInTheListing() {
    assertThat(Cli.run("queues", "pause", "mail", store).out()).contains("queue mail paused");
    assertThat(Cli.run("queues", store).out()).containsPattern("mail\\s+yes");
    assertThat(Cli.run("queues", "resume", "mail", store).out()).contains("queue mail resumed");
    assertThat(Cli.run("queues", store).out()).containsPattern("mail\\s+no");
  }

  @Test
  void enqueueWithAUniqueKeyPrintsTheExistingJobAndKeepsTheConcurrencyKey() {
    Cli.Result first =
        Cli.run(
            "enqueue",
            "demo.sleep",
            "--args",
            "{\"ms\": 1}",
            "--delay",
            "1h",
            "--unique-key",
            "nightly",
            "--concurrency-key",
            "tenant:42",
            store);
    assertThat(first.code()).as(first.toString()).isZero();
    String id = first.out().strip();
    Cli.Result again =
        Cli.run(
            "enqueue",
            "demo.sleep",
            "--args",
            "{\"ms\": 2}",
            "--delay",
            "2h",
            "--unique-key",
            "nightly",
            "--on-duplicate",
            "replace",
            store);
    assertThat(again.code()).as(again.toString()).isZero();
    assertThat(again.out().strip()).isEqualTo(id);
    JsonNode job = Json.tree(Cli.run("status", id, "--json", store).out());
    assertThat(job.get("args").get("ms").asInt()).isEqualTo(2);
    assertThat(job.get("uniqueKey").asText()).isEqualTo("nightly");
    assertThat(job.get("concurrencyKey").asText()).isEqualTo("tenant:42");

    assertUsage(
        Cli.run("enqueue", "demo.sleep", "--unique-for", "1h", store),
        "uniqueFor needs a uniqueKey");
    assertUsage(
        Cli.run("enqueue", "demo.sleep", "--unique-key", "k", "--on-duplicate", "merge", store),
        "--on-duplicate must be");
    assertUsage(
        Cli.run("enqueue", "demo.sleep", "--concurrency-key", "", store),
        "concurrencyKey must be 1-255");
  }
}
