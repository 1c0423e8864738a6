package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * offload workflow enqueue --file and offload workflow ID [--follow] [--json], on a SQLite file.
 */
class WorkflowCommandTest {
  @TempDir Path dir;

  private String store;

  @BeforeEach
  void store() {
    store = "--store=sqlite:" + dir.resolve("offload.db");
  }

  @Test
  void enqueueAFileAndFollowTheWorkflow() throws Exception {
    Path file = dir.resolve("month-end.json");
    Files.writeString(
        file,
        """
        {"name": "month-end", "steps": [
          {"name": "sync", "kind": "demo.sleep", "args": {"ms": 10}},
          {"name": "report", "kind": "demo.sleep", "args": {"ms": 10}, "after": ["sync"]},
          {"name": "notify", "kind": "demo.sleep", "args": {"ms": 1}, "after": ["report"], "onFailure": "continue"}]}\
        """);
    Cli.Result enqueued = Cli.run("workflow", "enqueue", "--file", file.toString(), store);
    assertThat(enqueued.code()).as(enqueued.toString()).isZero();
    String id = enqueued.out().strip();

    JsonNode waiting = Json.tree(Cli.run("workflow", id, "--json", store).out());
    assertThat(waiting.get("state").asText()).isEqualTo("running");
    assertThat(waiting.get("steps").get(1).get("state").asText()).isEqualTo("waiting");
    assertThat(Cli.run("workflow", id, store).out())
        .contains("report")
        .contains("waiting")
        .contains("after sync");

    Cli.Worker worker = Cli.startWorker("worker", store, "--shutdown-grace", "1s");
    try {
      Cli.Result follow = Cli.run("workflow", id, "--follow", store);
      assertThat(follow.code()).as(follow.toString()).isZero();
      assertThat(follow.out()).contains("succeeded, 100.0%");
    } finally {
      worker.stop();
    }
    Cli.Result json = Cli.run("workflow", "enqueue", "--file", file.toString(), "--json", store);
    assertThat(Json.tree(json.out()).get("steps")).hasSize(3);
  }

  @Test
  void aCycleIsAUsageErrorNamingItAndNothingIsWritten() throws Exception {
    Path file = dir.resolve("cycle.json");
    Files.writeString(
        file,
        """
        {"name": "w", "steps": [{"name": "a", "kind": "demo.sleep", "after": ["b"]}, {"name": "b", "kind": "demo.sleep", "after": ["a"]}]}\
        """);
    Cli.Result r = Cli.run("workflow", "enqueue", "--file", file.toString(), store);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("cycle").contains("a -> b -> a");
    assertThat(Json.tree(Cli.run("jobs", "--json", store).out()).get("jobs")).isEmpty();
    assertThat(
            Cli.run("workflow", "enqueue", "--file", dir.resolve("none.json").toString(), store)
                .code())
        .isEqualTo(2);
    Cli.Result missing = Cli.run("workflow", "42", store);
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("no workflow 42");
  }

  /** As offload enqueue: an unknown kind is exit 1 (no worker runs it), not a usage error. */
  @Test
  void anUnknownKindExitsOneAsEnqueueDoesAndAllowUnknownKindEnqueuesIt() throws Exception {
    Path file = dir.resolve("unknown.json");
    Files.writeString(
        file,
        """
        {"name": "w", "steps": [{"name": "a", "kind": "demo.sleep"}, {"name": "b", "kind": "no.such.kind", "after": ["a"]}]}\
        """);
    Cli.Result workflow = Cli.run("workflow", "enqueue", "--file", file.toString(), store);
    Cli.Result single = Cli.run("enqueue", "no.such.kind", store);
    assertThat(workflow.code()).as(workflow.toString()).isEqualTo(1).isEqualTo(single.code());
    assertThat(workflow.err())
        .contains("unknown job kind 'no.such.kind'")
        .contains("--allow-unknown-kind");
    assertThat(Json.tree(Cli.run("jobs", "--json", store).out()).get("jobs")).isEmpty();

    Cli.Result allowed =
        Cli.run(
            "workflow",
            "enqueue",
            "--file",
            file.toString(),
            "--allow-unknown-kind",
            "--json",
            store);
    assertThat(allowed.code()).as(allowed.toString()).isZero();
    assertThat(Json.tree(allowed.out()).get("steps").get(1).get("kind").asText())
        .isEqualTo("no.such.kind");
  }

  @Test
  void aMissingWorkflowIsExitOne() throws Exception {
    Cli.Result missing = Cli.run("workflow", "42", store);
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("no workflow 42");
  }
}
