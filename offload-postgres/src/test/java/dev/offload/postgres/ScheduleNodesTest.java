package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three node JVMs on one database, each declaring and firing the same 1-second schedule for at
 * least 10 seconds: every tick has exactly one job, none twice, none missing.
 */
class ScheduleNodesTest {
  private String schema;
  private final List<Process> nodes = new ArrayList<>();

  @BeforeAll
  static void requireDatabase() {
    TestDatabase.requireReachable();
  }

  @BeforeEach
  void createSchema() {
    schema = TestDatabase.freshSchemaName(ScheduleNodesTest.class);
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
  void threeNodesMakeOneJobPerTickOfASecondSchedule() throws Exception {
    for (int i = 1; i <= 3; i++) {
      startNode("sched-" + i);
    }
    Instant allRunning = Instant.now();
    // At least 10 ticks while all three nodes fire (waits on the count, not on time).
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> ticksAfter(allRunning) >= 11);
    nodes.forEach(Process::destroyForcibly);
    for (Process p : nodes) {
      p.waitFor(10, TimeUnit.SECONDS);
    }

    List<Instant> runAts = new ArrayList<>();
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT run_at FROM "
                    + schema
                    + ".jobs WHERE schedule = 'every-second' ORDER BY run_at")) {
      while (rs.next()) {
        runAts.add(rs.getTimestamp(1).toInstant());
      }
    }
    assertThat(runAts).as("one job per tick, none twice").doesNotHaveDuplicates();
    for (int i = 1; i < runAts.size(); i++) {
      assertThat(Duration.between(runAts.get(i - 1), runAts.get(i)))
          .as("no tick missing before %s", runAts.get(i))
          .isEqualTo(Duration.ofSeconds(1));
    }
    assertThat(runAts.get(0).toEpochMilli() % 1000).as("ticks are whole seconds").isZero();
  }

  private long ticksAfter(Instant t) throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM "
                    + schema
                    + ".jobs WHERE schedule = 'every-second' AND run_at > '"
                    + t
                    + "'::timestamptz")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void startNode(String node) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                ScheduleNodeMain.class.getName(),
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
