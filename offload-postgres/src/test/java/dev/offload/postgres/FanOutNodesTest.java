package dev.offload.postgres;

import static dev.offload.Workflow.StepOptions.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Workflow;
import dev.offload.Workflow.WorkflowId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two worker JVMs on one database run a workflow whose first step fans out into 100 pages and whose
 * last step joins them with {@code after("sync/*")}: every page runs once, on both nodes, and the
 * join runs once, after every page ended.
 */
class FanOutNodesTest {
  private String schema;
  private final List<Process> nodes = new ArrayList<>();

  @BeforeAll
  static void requireDatabase() {
    TestDatabase.requireReachable();
  }

  @BeforeEach
  void createSchema() throws Exception {
    schema = TestDatabase.freshSchemaName(FanOutNodesTest.class);
    try (PostgresStore store = PostgresStore.connect(TestDatabase.urlFor(schema), 2)) {
      store.migrate();
    }
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE "
              + schema
              + ".page_runs (name text NOT NULL, node text NOT NULL, at timestamptz NOT NULL)");
    }
  }

  @AfterEach
  void killNodesAndDropSchema() throws Exception {
    nodes.forEach(Process::destroyForcibly);
    for (Process p : nodes) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
    TestDatabase.drop(schema);
  }

  @Test
  void aFanOutOfAHundredPagesOverTwoNodesThenAJoin() throws Exception {
    startNode("fan-1");
    startNode("fan-2");
    try (Offload client =
        Offload.builder()
            .store(PostgresStore.connect(TestDatabase.urlFor(schema), 2))
            .migrate(false)
            .build()) {
      WorkflowId id =
          client
              .workflow("fan-out")
              .step("sync", "fan.sync", new FanOutNodeMain.SyncArgs(100))
              .step("report", "fan.report", new FanOutNodeMain.PageArgs("report"), after("sync/*"))
              .enqueue();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> client.workflow(id).orElseThrow().state() != Workflow.State.RUNNING);
      Workflow w = client.workflow(id).orElseThrow();
      assertThat(w.state()).isEqualTo(Workflow.State.SUCCEEDED);
      assertThat(w.steps()).hasSize(102);

      Map<String, Integer> runs = new HashMap<>();
      Map<String, Integer> pagesByNode = new HashMap<>();
      try (Connection c = TestDatabase.connect();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT name, node FROM " + schema + ".page_runs")) {
        while (rs.next()) {
          runs.merge(rs.getString(1), 1, Integer::sum);
          if (rs.getString(1).startsWith("page-")) {
            pagesByNode.merge(rs.getString(2), 1, Integer::sum);
          }
        }
      }
      for (int i = 1; i <= 100; i++) {
        assertThat(runs.get("page-" + i)).as("page-%s ran once", i).isEqualTo(1);
      }
      assertThat(runs.get("report")).as("the join ran once").isEqualTo(1);
      assertThat(pagesByNode).as("pages per node").containsOnlyKeys("fan-1", "fan-2");

      Job report = job(client, w, "report");
      for (Workflow.Step s : w.steps()) {
        if (!s.name().equals("report")) {
          Job page = job(client, w, s.name());
          assertThat(page.state()).as(s.name()).isEqualTo(JobState.SUCCEEDED);
          assertThat(page.attempt()).as("%s claimed once", s.name()).isEqualTo(1);
          assertThat(report.startedAt())
              .as("the join started after %s ended", s.name())
              .isAfterOrEqualTo(page.finishedAt());
        }
      }
    }
  }

  private static Job job(Offload client, Workflow w, String step) {
    return client
        .job(
            w.steps().stream().filter(s -> s.name().equals(step)).findFirst().orElseThrow().jobId())
        .orElseThrow();
  }

  private void startNode(String node) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                FanOutNodeMain.class.getName(),
                TestDatabase.urlFor(schema),
                node)
            .redirectErrorStream(true)
            .start();
    nodes.add(p);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    java.io.PrintWriter log =
        new java.io.PrintWriter(
            java.nio.file.Files.newBufferedWriter(
                java.nio.file.Path.of("target", "node-" + node + ".log")),
            true);
    String line;
    while ((line = out.readLine()) != null && !line.equals("ready")) {
      log.println(line);
    }
    assertThat(line).as("node %s started (see target/node-%s.log)", node, node).isEqualTo("ready");
    Thread.ofVirtual()
        .start(() -> {
          out.lines().forEach(log::println);
          log.close();
        });
  }
}
