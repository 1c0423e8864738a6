package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code offload} command run in this JVM against a real SQLite file. */
class MainTest {
  @TempDir Path dir;

  private String store;

  @BeforeEach
  void store() {
    store = "--store=sqlite:" + dir.resolve("offload.db");
  }

  @Test
  void enqueuedSleepIsRunByAWorkerAndStatusShowsItSucceeded() throws Exception {
    Cli.Result enqueued =
        Cli.run("enqueue", "demo.sleep", "--args", "{\"ms\": 50}", "--json", store);
    assertThat(enqueued.code()).as(enqueued.toString()).isZero();
    JsonNode job = Json.tree(enqueued.out());
    assertThat(job.get("kind").asText()).isEqualTo("demo.sleep");
    assertThat(job.get("state").asText()).isEqualTo("available");
    assertThat(job.get("args").get("ms").asInt()).isEqualTo(50);
    String id = job.get("id").asText();

    Cli.Worker worker =
        Cli.startWorker("worker", store, "--queues", "default=2", "--shutdown-grace", "1s");
    try {
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(() -> {
            Cli.Result status = Cli.run("status", id, "--json", store);
            assertThat(status.code()).as(status.toString()).isZero();
            assertThat(status.out())
                .contains("\"state\":\"succeeded\"")
                .contains("\"result\":{\"sleptMs\":50}");
          });
    } finally {
      Cli.Result stopped = worker.stop();
      assertThat(stopped.code()).as(stopped.toString()).isZero();
      assertThat(stopped.out())
          .startsWith("worker ")
          .contains("started on sqlite:")
          .contains("queues default=2");
    }

    Cli.Result status = Cli.run("status", id, store);
    assertThat(status.code()).isZero();
    assertThat(status.out())
        .containsPattern("(?m)^state +succeeded$")
        .containsPattern("(?m)^attempt +1/20$")
        .containsPattern("(?m)^result +\\{\"sleptMs\":50}$");
  }

  @Test
  void statusJsonIsExactlyOneJobDocument() {
    String id = Cli.run("enqueue", "demo.sleep", store).out().strip();

    Cli.Result status = Cli.run("status", id, "--json", store);

    assertThat(status.code()).isZero();
    assertThat(status.out().lines()).hasSize(1);
    JsonNode job = Json.tree(status.out());
    assertThat(job.get("id").asLong()).isEqualTo(Long.parseLong(id));
    assertThat(job.has("errors")).isTrue();
    assertThat(job.has("result")).isTrue();
    assertThat(job.get("args").isObject()).isTrue();
  }

  @Test
  void demoFailPermanentGoesStraightToDead() throws Exception {
    String id =
        Cli.run("enqueue", "demo.fail", "--args", "{\"times\": 1, \"permanent\": true}", store)
            .out()
            .strip();

    Cli.Worker worker = Cli.startWorker("worker", store, "--shutdown-grace", "0s");
    try {
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(() ->
              assertThat(Cli.run("status", id, "--json", store).out())
                  .contains("\"state\":\"dead\""));
    } finally {
      worker.stop();
    }
    JsonNode job = Json.tree(Cli.run("status", id, "--json", store).out());
    assertThat(job.get("errors")).hasSize(1);
    assertThat(job.get("errors").get(0).get("message").asText()).contains("fails on purpose");
    assertThat(Cli.run("status", id, store).out())
        .containsPattern("(?m)^last error +attempt 1 at .*fails on purpose");
  }

  @Test
  void argsFileEnqueuesOneJobPerLineInOneBatch() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("args.jsonl"), "{\"ms\": 1}\n\n  \n{\"ms\": 2}\n{\"ms\": 3}\n");

    Cli.Result result = Cli.run("enqueue", "demo.sleep", "--args-file", file.toString(), store);

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out().lines()).hasSize(3).allMatch(line -> line.matches("\\d+"));
    assertThat(jobs().get("jobs")).hasSize(3);
  }

  @Test
  void argsFileWithJsonPrintsTheCreatedJobsAsOneDocument() throws IOException {
    Path file = Files.writeString(dir.resolve("args.jsonl"), "{\"ms\": 1}\n{\"ms\": 2}\n");

    Cli.Result result =
        Cli.run(
            "enqueue",
            "demo.sleep",
            "--args-file",
            file.toString(),
            "--json",
            "--priority",
            "3",
            store);

    assertThat(result.code()).as(result.toString()).isZero();
    JsonNode doc = Json.tree(result.out());
    assertThat(doc.get("jobs")).hasSize(2);
    assertThat(doc.get("jobs").get(1).get("args").get("ms").asInt()).isEqualTo(2);
    assertThat(doc.get("jobs").get(1).get("priority").asInt()).isEqualTo(3);
  }

  @Test
  void argsFromStdinWithDash() {
    Cli.Result result =
        Cli.runWithInput(
            "{\"ms\": 1}\n{\"ms\": 2}\n", "enqueue", "demo.sleep", "--args-file", "-", store);

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out().lines()).hasSize(2);
  }

  @Test
  void argsFileWithAMalformedLineEnqueuesNothingAndNamesTheLine() throws IOException {
    Cli.run("migrate", store);
    Path file =
        Files.writeString(dir.resolve("args.jsonl"), "{\"ms\": 1}\n\n{\"ms\": 2\n{\"ms\": 3}\n");

    Cli.Result result = Cli.run("enqueue", "demo.sleep", "--args-file", file.toString(), store);

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines())
        .singleElement()
        .asString()
        .startsWith("offload: --args-file " + file + " line 3 is not valid JSON: ")
        .contains("column");
    assertThat(jobs().get("jobs")).isEmpty();
  }

  @Test
  void argsFileThatIsMissingOrEmptyIsAUsageError() throws IOException {
    Cli.Result missing =
        Cli.run(
            "enqueue", "demo.sleep", "--args-file", dir.resolve("nope.jsonl").toString(), store);
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).startsWith("offload: --args-file: no such file ");

    Path blank = Files.writeString(dir.resolve("blank.jsonl"), "\n  \n");
    Cli.Result empty = Cli.run("enqueue", "demo.sleep", "--args-file", blank.toString(), store);
    assertThat(empty.code()).isEqualTo(2);
    assertThat(empty.err()).contains("holds no JSON args");
  }

  @Test
  void malformedArgsExitTwoNamingTheProblemAndPosition() {
    Cli.Result result = Cli.run("enqueue", "demo.sleep", "--args", "{\"ms\": 5,}", store);

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err().lines())
        .singleElement()
        .asString()
        .startsWith("offload: --args is not valid JSON: ")
        .endsWith("at column 10");
    assertThat(result.err()).doesNotContain("\tat ");
  }

  @Test
  void argsWithTrailingTextAreRejected() {
    Cli.Result result = Cli.run("enqueue", "demo.sleep", "--args", "{} {}", store);

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("unexpected '{' after the first value at column 4");
  }

  @Test
  void unknownKindExitsOneAndIsAcceptedWithAllowUnknownKind() {
    Cli.Result unknown = Cli.run("enqueue", "reports.monthly", store);
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err().lines())
        .singleElement()
        .asString()
        .startsWith("offload: unknown job kind 'reports.monthly'")
        // The hint names the options of this command line, not the Java API's allowUnknownKind.
        .contains("--allow-unknown-kind")
        .contains("--plugins")
        .doesNotContain("allowUnknownKind");

    Cli.Result allowed =
        Cli.run("enqueue", "reports.monthly", "--allow-unknown-kind", "--queue", "reports", store);
    assertThat(allowed.code()).as(allowed.toString()).isZero();
    JsonNode job = Json.tree(Cli.run("status", allowed.out().strip(), "--json", store).out());
    assertThat(job.get("kind").asText()).isEqualTo("reports.monthly");
    assertThat(job.get("queue").asText()).isEqualTo("reports");
  }

  @Test
  void pluginJarAddsItsKinds() throws IOException {
    Path jar = dir.resolve("echo-plugin.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("META-INF/services/dev.offload.OffloadPlugin"));
      out.write((TestPlugin.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }

    assertThat(Cli.run("enqueue", "test.echo", store).code()).isEqualTo(1);
    Cli.Result result =
        Cli.run(
            "enqueue",
            "test.echo",
            "--args",
            "{\"text\": \"hi\"}",
            "--plugins",
            jar.toString(),
            store);
    assertThat(result.code()).as(result.toString()).isZero();
  }

  @Test
  void missingPluginJarExitsTwo() {
    Cli.Result result =
        Cli.run("worker", "--plugins", dir.resolve("missing.jar").toString(), store);

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err().lines())
        .singleElement()
        .asString()
        .isEqualTo("offload: --plugins: no such jar " + dir.resolve("missing.jar"));
  }

  @Test
  void unreachablePostgresExitsOneWithOneLineAndNoStackTrace() {
    Instant start = Instant.now();
    Cli.Result result = Cli.run("status", "1", "--store", "postgresql://127.0.0.1:1/x");

    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(15));
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err().lines())
        .singleElement()
        .asString()
        .startsWith("offload: cannot reach postgresql://127.0.0.1:1/x (schema offload): ");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void verbosePrintsTheStackTraceAfterTheLine() {
    Cli.Result result = Cli.run("--verbose", "enqueue", "nope", store);

    assertThat(result.code()).isEqualTo(1);
    List<String> lines = result.err().lines().toList();
    assertThat(lines.get(0)).startsWith("offload: unknown job kind 'nope'");
    assertThat(lines).anyMatch(line -> line.startsWith("\tat "));
  }

  @Test
  void storeOfAnotherFormExitsTwoNamingTheAcceptedForms() {
    Cli.Result result = Cli.run("jobs", "--store", "mysql://localhost/x");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err().lines())
        .singleElement()
        .asString()
        .contains("'mysql://localhost/x' is not a store URL")
        .contains("sqlite:PATH")
        .contains("postgresql://")
        .contains("jdbc:postgresql://");
  }

  @Test
  void jobsJsonHasJobsAndNextCursor() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(Cli.run("enqueue", "demo.sleep", store).out().strip());
    }

    JsonNode first = jobs("--limit", "2");
    assertThat(first.get("jobs"))
        .extracting(j -> j.get("id").asText())
        .containsExactly(ids.get(2), ids.get(1));
    assertThat(first.get("nextCursor").isTextual()).isTrue();

    JsonNode second = jobs("--limit", "2", "--cursor", first.get("nextCursor").asText());
    assertThat(second.get("jobs"))
        .extracting(j -> j.get("id").asText())
        .containsExactly(ids.get(0));
    assertThat(second.get("nextCursor").isNull()).isTrue();

    assertThat(jobs("--state", "succeeded").get("jobs")).isEmpty();
    assertThat(jobs("--kind", "demo.sleep", "--queue", "default").get("jobs")).hasSize(3);
  }

  @Test
  void jobsTableShowsOneRowPerJob() {
    Cli.run("enqueue", "demo.sleep", store);
    Cli.run("enqueue", "demo.fail", "--queue", "flaky", store);

    Cli.Result result = Cli.run("jobs", store);

    assertThat(result.code()).isZero();
    assertThat(result.out().lines().toList())
        .hasSize(3)
        .satisfies(lines -> {
          assertThat(lines.get(0)).matches("ID +KIND +QUEUE +STATE +ATTEMPT +CREATED");
          assertThat(lines.get(1)).matches("2 +demo\\.fail +flaky +available +0/20 +\\S+Z");
          assertThat(lines.get(2)).matches("1 +demo\\.sleep +default +available +0/20 +\\S+Z");
        });
  }

  @Test
  void statusOfAMissingJobExitsOneAndOfANonNumericIdTwo() {
    Cli.run("migrate", store);
    Cli.Result missing = Cli.run("status", "42", store);
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err())
        .isEqualTo("offload: no job 42 in sqlite:" + dir.resolve("offload.db") + "\n");

    Cli.Result bad = Cli.run("status", "abc", store);
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).isEqualTo("offload: job id must be a positive number, got 'abc'\n");
  }

  @Test
  void invalidOptionValuesExitTwoWithOneLine() {
    assertUsageError(
        Cli.run("enqueue", "demo.sleep", "--priority", "12", store),
        "priority must be between 0 (runs first) and 9, got 12");
    assertUsageError(
        Cli.run("enqueue", "demo.sleep", "--max-attempts", "0", store),
        "maxAttempts must be between 1 and 1000, got 0");
    assertUsageError(
        Cli.run("enqueue", "demo.sleep", "--delay", "soon", store),
        "Invalid value for option '--delay': 'soon' is not a duration");
    assertUsageError(
        Cli.run("enqueue", "demo.sleep", "--at", "noon", store),
        "Invalid value for option '--at': 'noon' is not a time");
    assertUsageError(
        Cli.run("enqueue", "demo.sleep", "--delay", "5s", "--at", "2026-12-01T09:00:00Z", store),
        "give --delay or --at, not both");
    assertUsageError(
        Cli.run("worker", "--shutdown-grace", "forever", store),
        "Invalid value for option '--shutdown-grace': 'forever'");
    assertUsageError(
        Cli.run("worker", "--queues", "default=0", store),
        "concurrency of queue 'default' must be between 1 and 10000, got 0");
    assertUsageError(
        Cli.run("jobs", "--limit", "5000", store), "limit must be between 1 and 1000, got 5000");
    assertUsageError(Cli.run("jobs", "--state", "done", store), "unknown job state 'done'");
    assertUsageError(Cli.run("enqueue", store), "Missing required parameter: 'KIND'");
    assertUsageError(Cli.run("bogus"), "Unmatched argument at index 0: 'bogus'");
    assertUsageError(Cli.run(), "missing command");
  }

  @Test
  void delayedJobIsScheduled() {
    Cli.Result result = Cli.run("enqueue", "demo.sleep", "--delay", "1h", "--json", store);

    JsonNode job = Json.tree(result.out());
    assertThat(job.get("state").asText()).isEqualTo("scheduled");
    Duration ahead =
        Duration.between(
            Instant.parse(job.get("createdAt").asText()), Instant.parse(job.get("runAt").asText()));
    assertThat(ahead).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void migrateSaysWhatItMigrated() {
    Cli.Result result = Cli.run("migrate", store);

    assertThat(result.code()).isZero();
    assertThat(result.out())
        .isEqualTo("migrated sqlite:" + dir.resolve("offload.db") + ": the schema is up to date\n");
  }

  @Test
  void helpAndVersionExitZero() {
    assertThat(Cli.run("--help").out()).contains("migrate", "worker", "enqueue", "status", "jobs");
    assertThat(Cli.run("enqueue", "--help").out()).contains("--args-file", "--store");
    Cli.Result version = Cli.run("--version");
    assertThat(version.code()).isZero();
    assertThat(version.out()).startsWith("offload ");
  }

  private static void assertUsageError(Cli.Result result, String expected) {
    assertThat(result.code()).as(result.toString()).isEqualTo(2);
    assertThat(result.err().lines())
        .as(result.toString())
        .singleElement()
        .asString()
        .startsWith("offload: ")
        .contains(expected);
  }

  private JsonNode jobs(String... filters) {
    List<String> args = new ArrayList<>(List.of("jobs", "--json", store));
    args.addAll(List.of(filters));
    Cli.Result result = Cli.run(args.toArray(String[]::new));
    assertThat(result.code()).as(result.toString()).isZero();
    return Json.tree(result.out());
  }
}
