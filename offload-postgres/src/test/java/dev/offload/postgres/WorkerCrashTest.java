package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Offload;
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
 * Two worker JVMs share one database; one is killed with SIGKILL while it runs jobs. Its jobs'
 * leases expire, the surviving node (now the leader) rescues them, and every job ends succeeded,
 * none lost, none dead.
 */
class WorkerCrashTest {
  // A schema per test: a job one test leaves behind (a poison job above all) must not reach the
  // workers of the next.
  private String schema;
  private final List<Process> workers = new ArrayList<>();

  @BeforeAll
  static void requireDatabase() {
    TestDatabase.requireReachable();
  }

  @BeforeEach
  void createSchema() {
    schema = TestDatabase.freshSchemaName(WorkerCrashTest.class);
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
  void jobsOfAKilledWorkerAreRescuedAndEveryJobSucceedsOnce() throws Exception {
    int jobs = 120;
    try (Offload client =
        Offload.builder().store(PostgresStore.connect(TestDatabase.urlFor(schema), 2)).build()) {
      List<JobRequest> batch = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        batch.add(
            JobRequest.of(
                "crash.work",
                Map.of("ms", 150),
                dev.offload.EnqueueOptions.none().allowUnknownKind()));
      }
      client.enqueueAll(batch);
    }

    Process victim = startWorker("victim");
    Process survivor = startWorker("survivor");

    // Kill the victim while it holds jobs and has already finished some.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() ->
            count("state = 'running' AND lease_owner = 'victim'") > 0
                && count("state = 'succeeded' AND lease_owner = 'victim'") > 0);
    victim.destroyForcibly();
    assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
    List<Long> orphaned = ids("state = 'running' AND lease_owner = 'victim'");
    assertThat(orphaned).isNotEmpty();

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> count("state = 'succeeded'") == jobs);

    assertThat(survivor.isAlive()).isTrue();
    assertThat(count("true")).isEqualTo(jobs);
    assertThat(count("state <> 'succeeded'")).isZero();
    assertThat(count("finished_at IS NULL OR claim_token IS NOT NULL")).isZero();
    for (long id : orphaned) {
      try (Connection c = TestDatabase.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT lease_owner, attempt, errors::text FROM "
                      + schema
                      + ".jobs WHERE id = "
                      + id)) {
        rs.next();
        assertThat(rs.getString(1)).as("job %d finished by", id).isEqualTo("survivor");
        assertThat(rs.getInt(2)).as("job %d attempts", id).isEqualTo(2);
        assertThat(rs.getString(3)).contains("lost worker").contains("victim");
      }
    }
  }

  @Test
  void rescuedJobResumesFromItsCheckpointAndAnotherProcessWatchesItMove() throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
      st.execute("CREATE TABLE " + schema + ".processed (job_id bigint, item int, node text)");
    }
    int items = 3_000;
    int checkpointEvery = 100;
    try (Offload watcherNode =
        Offload.builder().store(PostgresStore.connect(TestDatabase.urlFor(schema), 2)).build()) {
      dev.offload.Job.JobId id =
          watcherNode.enqueue(
              "crash.items",
              Map.of("items", items, "checkpointEvery", checkpointEvery),
              dev.offload.EnqueueOptions.none().allowUnknownKind());
      List<dev.offload.Job> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (AutoCloseable watch = watcherNode.watch(id, seen::add)) {
        Process victim = startWorker("victim");
        // This JVM sees the worker JVM's progress through LISTEN/NOTIFY.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() ->
                seen.stream()
                    .anyMatch(j ->
                        j.progress() != null
                            && j.progress().done() >= 700
                            && j.checkpoint() != null));
        victim.destroyForcibly();
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        startWorker("survivor");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() ->
                !seen.isEmpty()
                    && seen.get(seen.size() - 1).state() == dev.offload.Job.JobState.SUCCEEDED);
      }
      List<Double> percents =
          seen.stream().filter(j -> j.progress() != null).map(j -> j.progress().percent()).toList();
      assertThat(percents).hasSizeGreaterThan(3);
      assertThat(percents.get(percents.size() - 1)).isEqualTo(100.0);

      dev.offload.Job done = watcherNode.job(id).orElseThrow();
      assertThat(done.attempt()).isEqualTo(2);
      assertThat(done.node()).isEqualTo("survivor");
    }
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      long distinct = single(st, "SELECT count(DISTINCT item) FROM " + schema + ".processed");
      long total = single(st, "SELECT count(*) FROM " + schema + ".processed");
      long bySurvivor =
          single(st, "SELECT count(*) FROM " + schema + ".processed WHERE node = 'survivor'");
      assertThat(distinct).isEqualTo(items);
      // The rescued run started at the last checkpoint: at most one interval's items ran twice.
      assertThat(total - distinct).isLessThanOrEqualTo(checkpointEvery);
      assertThat(bySurvivor).isLessThan(items - 600);
    }
  }

  @Test
  void cancellingAJobRunningInAnotherJvmInterruptsIt() throws Exception {
    try (Offload client =
        Offload.builder().store(PostgresStore.connect(TestDatabase.urlFor(schema), 2)).build()) {
      dev.offload.Job.JobId id =
          client.enqueue(
              "crash.block", Map.of("ms", 0), dev.offload.EnqueueOptions.none().allowUnknownKind());
      Process worker = startWorker("runner");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> client.job(id).orElseThrow().state() == dev.offload.Job.JobState.RUNNING);

      assertThat(client.cancel(id)).isEqualTo(dev.offload.Job.JobState.RUNNING);
      // The worker JVM hears of it through NOTIFY and interrupts the handler long before its minute
      // is up.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.job(id).orElseThrow().state() == dev.offload.Job.JobState.CANCELLED);
      dev.offload.Job job = client.job(id).orElseThrow();
      assertThat(job.attempt()).isEqualTo(1);
      assertThat(job.result()).isNull();
      assertThat(job.node()).isEqualTo("runner");
      assertThat(worker.isAlive()).isTrue();
    }
  }

  @Test
  void aJobThatKillsItsWorkerEveryTimeEndsDeadAfterItsAttempts() throws Exception {
    // This JVM is the leader that rescues; each worker process dies on the job.
    try (Offload leader =
        Offload.builder()
            .store(PostgresStore.connect(TestDatabase.urlFor(schema), 2))
            .rescueInterval(Duration.ofMillis(200))
            .build()) {
      leader.start();
      dev.offload.Job.JobId id =
          leader.enqueue(
              "crash.exit",
              Map.of("ms", 0),
              dev.offload.EnqueueOptions.none().allowUnknownKind().maxAttempts(2));
      for (int attempt = 1; attempt <= 2; attempt++) {
        Process worker = startWorker("doomed-" + attempt);
        assertThat(worker.waitFor(30, TimeUnit.SECONDS))
            .as("worker %d dies on the job", attempt)
            .isTrue();
        assertThat(worker.exitValue()).isEqualTo(3);
        dev.offload.Job.JobState expected =
            attempt == 1 ? dev.offload.Job.JobState.RETRYING : dev.offload.Job.JobState.DEAD;
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> leader.job(id).orElseThrow().state() == expected);
      }
      dev.offload.Job dead = leader.job(id).orElseThrow();
      assertThat(dead.attempt()).isEqualTo(2);
      assertThat(dead.errors())
          .hasSize(2)
          .allSatisfy(e -> assertThat(e.message()).contains("rescued from a lost worker"));
      assertThat(dead.errors().get(1).message()).contains("doomed-2");
    }
  }

  private static long single(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Process startWorker(String node) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                CrashWorkerMain.class.getName(),
                TestDatabase.urlFor(schema),
                node)
            .redirectErrorStream(true)
            .start();
    workers.add(p);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    // The worker's output goes to target/<node>.log for diagnosis, and the pipe never fills.
    java.io.PrintWriter log =
        new java.io.PrintWriter(
            java.nio.file.Files.newBufferedWriter(
                java.nio.file.Path.of("target", "worker-" + node + ".log")),
            true);
    String line;
    while ((line = out.readLine()) != null && !line.equals("ready")) {
      log.println(line);
    }
    assertThat(line)
        .as("worker %s started (see target/worker-%s.log)", node, node)
        .isEqualTo("ready");
    Thread.ofVirtual()
        .start(() -> {
          out.lines().forEach(log::println);
          log.close();
        });
    return p;
  }

  private long count(String where) throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".jobs WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private List<Long> ids(String where) throws Exception {
    List<Long> ids = new ArrayList<>();
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM " + schema + ".jobs WHERE " + where)) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }
}
