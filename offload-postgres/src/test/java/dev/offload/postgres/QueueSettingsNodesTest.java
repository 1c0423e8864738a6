package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.QueueOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A change of a queue's settings, made by an operator's process, reaches worker nodes that are
 * already running (two worker JVMs, {@link FlowWorkerMain}, 4 threads each, on one PostgreSQL
 * schema): no restart, and held jobs say why they wait until it does. How long it took is printed,
 * not asserted (speed belongs in offload-bench).
 */
class QueueSettingsNodesTest {
  private String schema;
  private final List<Process> workers = new ArrayList<>();

  @BeforeAll
  static void requireDatabase() {
    TestDatabase.requireReachable();
  }

  @BeforeEach
  void createSchema() throws Exception {
    schema = TestDatabase.freshSchemaName(QueueSettingsNodesTest.class);
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
      st.execute(
          "CREATE TABLE "
              + schema
              + ".runs (job_id bigint, key text, node text, started timestamptz, ended timestamptz)");
    }
  }

  @AfterEach
  void killWorkersAndDropSchema() throws Exception {
    workers.forEach(Process::destroyForcibly);
    for (Process p : workers) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
    TestDatabase.drop(schema);
  }

  @Test
  void aLoosenedLimitReachesEveryRunningNodeWithoutARestart() throws Exception {
    try (Offload operator =
        Offload.builder().store(PostgresStore.connect(TestDatabase.urlFor(schema), 2)).build()) {
      operator.updateQueue("flow", QueueOptions.none().maxRunning(1));
      startWorker("n1");
      startWorker("n2");
      List<JobId> jobs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        jobs.add(
            operator.enqueue(
                "flow.work",
                Map.of("ms", 120_000, "key", "job-" + i),
                EnqueueOptions.none().allowUnknownKind().queue("flow")));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> running(operator, jobs) == 1);
      // The other five are held by the limit, not claimed, and say so.
      for (JobId id : jobs) {
        var job = operator.job(id).orElseThrow();
        if (job.state() != JobState.RUNNING) {
          assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
          assertThat(job.waiting()).isEqualTo("waiting: queue flow at its limit of 1");
        }
      }

      long changedAt = System.nanoTime();
      operator.updateQueue("flow", QueueOptions.none().maxRunning(5));
      await().atMost(Duration.ofSeconds(60)).until(() -> running(operator, jobs) == 5);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changedAt);
      // Five running on nodes of four threads each: both nodes applied the new limit.
      assertThat(nodesRunning()).containsExactlyInAnyOrder("n1", "n2");
      assertThat(
              jobs.stream()
                  .map(id -> operator.job(id).orElseThrow())
                  .filter(j -> j.state() == JobState.AVAILABLE)
                  .map(j -> j.waiting())
                  .toList())
          .containsExactly("waiting: queue flow at its limit of 5");
      System.out.printf(
          "maxRunning 1 -> 5 set by another process: 5 jobs ran on 2 nodes %d ms later%n", tookMs);
    }
  }

  private static long running(Offload operator, List<JobId> jobs) {
    return jobs.stream()
        .map(id -> operator.job(id).orElseThrow())
        .filter(j -> j.state() == JobState.RUNNING && j.startedAt() != null)
        .count();
  }

  private List<String> nodesRunning() throws Exception {
    List<String> nodes = new ArrayList<>();
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT DISTINCT lease_owner FROM " + schema + ".jobs WHERE state = 'running'")) {
      while (rs.next()) {
        nodes.add(rs.getString(1));
      }
    }
    return nodes;
  }

  private void startWorker(String node) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                FlowWorkerMain.class.getName(),
                TestDatabase.urlFor(schema),
                node)
            .redirectErrorStream(true)
            .start();
    workers.add(p);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    java.io.PrintWriter log =
        new java.io.PrintWriter(
            java.nio.file.Files.newBufferedWriter(
                java.nio.file.Path.of("target", "settings-worker-" + node + ".log")),
            true);
    String line;
    while ((line = out.readLine()) != null && !line.equals("ready")) {
      log.println(line);
    }
    assertThat(line)
        .as("worker %s started (see target/settings-worker-%s.log)", node, node)
        .isEqualTo("ready");
    Thread.ofVirtual()
        .start(() -> {
          out.lines().forEach(log::println);
          log.close();
        });
  }
}
