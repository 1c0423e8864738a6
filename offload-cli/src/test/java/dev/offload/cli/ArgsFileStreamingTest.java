package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code enqueue --args-file} streams: a file far larger than the heap is enqueued by a JVM with 64
 * MiB, and a bad line after many batches still enqueues nothing (one transaction).
 */
class ArgsFileStreamingTest {
  private static final int LINES = 300_000;

  @TempDir Path dir;

  /** About 45 MB of args: read whole (as text, then as JSON trees) it would not fit in 64 MiB. */
  @Test
  void aFileLargerThanTheHeapIsEnqueuedWithBoundedMemoryInOneGo() throws Exception {
    Path file = dir.resolve("args.jsonl");
    String pad = "x".repeat(120);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < LINES; i++) {
        w.write("{\"ms\": 0, \"n\": " + i + ", \"pad\": \"" + pad + "\"}\n");
      }
    }
    assertThat(Files.size(file)).isGreaterThan(40L << 20);
    Path store = dir.resolve("offload.db");
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");

    Process p =
        child(
            out,
            err,
            "enqueue",
            "demo.sleep",
            "--args-file",
            file.toString(),
            "--store=sqlite:" + store);

    assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("the child JVM ends").isTrue();
    assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    try (var lines = Files.lines(out)) {
      assertThat(lines.count()).isEqualTo(LINES);
    }
    JsonNode page =
        Json.tree(
            Cli.run("jobs", "--json", "--fields", "args", "--limit", "1", "--store=sqlite:" + store)
                .out());
    assertThat(page.get("jobs").get(0).get("args").get("n").asInt()).isEqualTo(LINES - 1);
  }

  @Test
  void aBadLineAfterManyBatchesEnqueuesNothing() throws Exception {
    Path file = dir.resolve("args.jsonl");
    StringBuilder text = new StringBuilder();
    int good = EnqueueCommand.BATCH * 2 + 500;
    for (int i = 0; i < good; i++) {
      text.append("{\"ms\": 0}\n");
    }
    text.append("{\"ms\": \n");
    Files.writeString(file, text);
    String store = "--store=sqlite:" + dir.resolve("offload.db");

    Cli.Result r = Cli.run("enqueue", "demo.sleep", "--args-file", file.toString(), store);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith("offload: --args-file " + file + " line " + (good + 1) + " is not valid JSON");
    assertThat(Json.tree(Cli.run("jobs", "--json", store).out()).get("jobs")).isEmpty();
  }

  @Test
  void anArgsValueTooLargeNamesItsLineAndEnqueuesNothing() throws Exception {
    Path file = dir.resolve("args.jsonl");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < EnqueueCommand.BATCH + 10; i++) {
      text.append("{\"ms\": 0}\n");
    }
    text.append("{\"pad\": \"").append("y".repeat(1_100_000)).append("\"}\n");
    Files.writeString(file, text);
    String store = "--store=sqlite:" + dir.resolve("offload.db");

    Cli.Result r = Cli.run("enqueue", "demo.sleep", "--args-file", file.toString(), store);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("offload: --args-file " + file + " line " + (EnqueueCommand.BATCH + 11) + ": ");
    assertThat(Json.tree(Cli.run("jobs", "--json", store).out()).get("jobs")).isEmpty();
  }

  private Process child(Path out, Path err, String... args) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                javaBin,
                "-Xmx64m",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
  }
}
