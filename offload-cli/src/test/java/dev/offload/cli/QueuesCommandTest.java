package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.QueueOptions;
import dev.offload.internal.Json;
import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store.ClaimParams;
import dev.offload.store.Store.ClaimedJob;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
  void aQueueIsBoundToAPushEndpointAndUnbound() {
    Cli.Result set =
        Cli.run(
            "queues",
            "set",
            "sync",
            "--push-url",
            "http://127.0.0.1:9/push",
            "--push-timeout",
            "30s",
            "--push-secret-env",
            "PUSH_SECRET",
            store);
    assertThat(set.code()).as(set.toString()).isZero();
    assertThat(set.out()).contains("push http://127.0.0.1:9/push (timeout 30s)");
    assertUsage(
        Cli.run("queues", "set", "sync", "--push-url", "http://169.254.169.254/x", store),
        "pushUrl must not point at a link-local or cloud metadata address");
    assertUsage(
        Cli.run("queues", "set", "sync", "--push-url", "http://example.com/x", store),
        "pushUrl must use https");
    Cli.Result allowed =
        Cli.run(
            "queues", "set", "sync", "--push-url", "http://example.com/x", "--allow-http", store);
    assertThat(allowed.code()).as(allowed.toString()).isZero();
    Cli.Result unbound = Cli.run("queues", "set", "sync", "--push-url", "none", store);
    assertThat(unbound.code()).as(unbound.toString()).isZero();
    assertThat(unbound.out()).doesNotContain("push");
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
    assertUsage(
        Cli.run("queues", "set", "sync", "--max-running", "0", store),
        "maxRunning must be between 1");
    assertUsage(
        Cli.run("queues", "set", "sync", "--aging", "0s", store), "aging must be at least 1s");
    assertUsage(Cli.run("queues", "set", "sync", "--rate", "10", store), "rate must be N/PERIOD");
    assertUsage(
        Cli.run("enqueue", "demo.sleep", "--unique-key", "u".repeat(256), store),
        "uniqueKey must be 1-255 characters, got 256");
    assertUsage(
        Cli.run("enqueue", "demo.sleep", "--concurrency-key", "c".repeat(256), store),
        "concurrencyKey must be 1-255 characters, got 256");
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

  @Test
  void theListingAndStatusSayWhatTheLimitsHoldBack() {
    assertThat(Cli.run("queues", "set", "sync", "--per-key", "1", store).code()).isZero();
    List<String> ids = new ArrayList<>();
    for (String key : List.of("tenant:42", "tenant:42", "tenant:42", "tenant:7")) {
      Cli.Result r =
          Cli.run("enqueue", "demo.sleep", "--queue", "sync", "--concurrency-key", key, store);
      assertThat(r.code()).as(r.toString()).isZero();
      ids.add(r.out().strip());
    }
    // A worker elsewhere claims what the per-key limit lets run: one job of each key.
    try (SqliteStore worker = SqliteStore.open(dir.resolve("offload.db"))) {
      List<ClaimedJob> claimed =
          worker.jobClaim(
              new ClaimParams(
                  "sync",
                  List.of("demo.sleep"),
                  10,
                  "worker-1",
                  1L,
                  Instant.now(),
                  Duration.ofMinutes(5),
                  QueueOptions.none().perKey(1)));
      assertThat(claimed).hasSize(2);
    }

    Cli.Result list = Cli.run("queues", store);
    assertThat(list.code()).as(list.toString()).isZero();
    assertThat(list.out())
        .containsPattern(
            "QUEUE\\s+PAUSED\\s+SCHEDULED\\s+AVAILABLE\\s+RUNNING\\s+CLAIMED\\s+RETRYING\\s+SUCCEEDED"
                + "\\s+KEYS-AT-LIMIT\\s+HELD\\s+LIMITS")
        // 2 available (tenant:42's), 2 running, 0 claimed, both tenants at their limit, 2 held.
        .containsPattern("sync\\s+no\\s+0\\s+2\\s+2\\s+0\\s+0\\s+0\\s+2\\s+2\\s+per-key 1\\n");

    Cli.Result status = Cli.run("status", ids.get(1), store);
    assertThat(status.code()).as(status.toString()).isZero();
    assertThat(status.out())
        .containsPattern("waiting\\s+key tenant:42 at its limit of 1\\n")
        .containsPattern("concurrency\\s+tenant:42\\n");
    JsonNode json = Json.tree(Cli.run("status", ids.get(1), "--json", store).out());
    assertThat(json.get("waiting").asText()).isEqualTo("waiting: key tenant:42 at its limit of 1");
    JsonNode running = Json.tree(Cli.run("status", ids.get(0), "--json", store).out());
    assertThat(running.get("state").asText()).isEqualTo("running");
    assertThat(running.get("waiting").isNull()).isTrue();
    assertThat(Cli.run("status", ids.get(0), store).out()).doesNotContain("waiting");
  }
}
