package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import dev.offload.store.Store.Notifier;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real PostgreSQL server is killed ({@code pg_ctlcluster … stop -m immediate}, as a crash or a
 * failover would) and started again in the middle of a drain: every job succeeds, no handler runs
 * to the end twice, both nodes keep working and their notification listeners reconnect.
 *
 * <p>The server is a private cluster made for this test on a free loopback port (Debian's {@code
 * pg_createcluster}, trust authentication, no fsync) and dropped afterwards, so the shared server
 * other tests use is never restarted. Needs root and the PostgreSQL server packages: required under
 * {@code CI=true} ({@code .ci/run} installs them), skipped otherwise when missing.
 */
class PostgresRestartTest {
  private static final int JOBS = 2_000;
  private static final String SCHEMA = TestDatabase.freshSchemaName(PostgresRestartTest.class);
  private static String version;
  private static String cluster;
  private static int port;

  record Work(int n) {}

  @BeforeAll
  static void createCluster() throws Exception {
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    String missing = missingTools();
    if (missing != null) {
      if (ci) {
        throw new IllegalStateException(
            missing + " (CI=true requires it; .ci/run installs the PostgreSQL server packages)");
      }
      assumeTrue(false, missing);
    }
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    cluster =
        "offload_restart_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    run(
        "pg_createcluster",
        version,
        cluster,
        "-p",
        String.valueOf(port),
        "-o",
        "fsync=off",
        "-o",
        "max_connections=50",
        "--",
        "--auth-host=trust",
        "--auth-local=trust",
        "--no-sync");
    ctl("start");
  }

  @AfterAll
  static void dropCluster() throws Exception {
    if (cluster != null) {
      run("pg_dropcluster", "--stop", version, cluster);
    }
  }

  /** Null when the tools are there, else why the test cannot run. */
  private static String missingTools() throws IOException {
    Path lib = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(lib) || !Files.isExecutable(Path.of("/usr/bin/pg_createcluster"))) {
      return "pg_createcluster or /usr/lib/postgresql is missing (install the Debian postgresql package)";
    }
    try (Stream<Path> versions = Files.list(lib)) {
      version =
          versions
              .filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
              .map(v -> v.getFileName().toString())
              .max((a, b) ->
                  Integer.compare(
                      Integer.parseInt(a.replaceAll("\\D.*", "")),
                      Integer.parseInt(b.replaceAll("\\D.*", ""))))
              .orElse(null);
    }
    if (version == null) {
      return "no PostgreSQL server under /usr/lib/postgresql/*/bin/postgres";
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return "pg_createcluster needs root to make a private cluster (running as "
          + System.getProperty("user.name")
          + ")";
    }
    return null;
  }

  @Test
  void twoThousandJobsSurviveAnImmediateServerRestartMidDrain() throws Exception {
    String url =
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&currentSchema=" + SCHEMA;
    Map<Integer, AtomicInteger> finished = new ConcurrentHashMap<>();
    AtomicInteger started = new AtomicInteger();
    List<PostgresStore> stores = new ArrayList<>();
    List<Offload> nodes = new ArrayList<>();
    try {
      for (String name : List.of("a", "b")) {
        PostgresStore store = PostgresStore.connect(url, 4);
        stores.add(store);
        nodes.add(
            Offload.builder()
                .store(store)
                .node(name)
                .queue("default", 8)
                .queue("only-" + name, 1)
                .pollInterval(Duration.ofMillis(500))
                // Longer than the restart: no lease lapses, so no attempt is abandoned or rescued.
                .leaseDuration(Duration.ofSeconds(20))
                .heartbeatInterval(Duration.ofSeconds(1))
                .rescueInterval(Duration.ofMillis(500))
                .shutdownGrace(Duration.ofSeconds(1))
                .register(
                    "work",
                    Work.class,
                    (work, ctx) -> {
                      started.incrementAndGet();
                      Thread.sleep(
                          40); // 16 slots: about 400 jobs/s, so the drain outlasts the stop command
                      finished
                          .computeIfAbsent(work.n(), k -> new AtomicInteger())
                          .incrementAndGet();
                      return null;
                    },
                    JobOptions.defaults().retryPolicy(RetryPolicy.immediate()))
                .build());
      }
      List<JobRequest> batch = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        batch.add(JobRequest.of("work", new Work(i)));
      }
      nodes.get(0).enqueueAll(batch);
      nodes.forEach(Offload::start);
      int[] opened = stores.stream().mapToInt(s -> listener(s).connectionsOpened()).toArray();

      await().atMost(Duration.ofSeconds(60)).until(() -> finished.size() >= 200);
      ctl("stop", "-m", "immediate");
      assertThat(finished.size()).as("the server stopped mid-drain").isLessThan(JOBS);
      ctl("start");

      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> count(url, "state = 'succeeded'") == JOBS);
      assertThat(count(url, "state <> 'succeeded'")).isZero();
      assertThat(finished).hasSize(JOBS);
      assertThat(finished.values())
          .as("handlers that ran to the end twice")
          .allMatch(c -> c.get() == 1);
      // A claim committed as the server died never reached its node: it is rescued and run once.
      assertThat(count(url, "attempt > 2")).isZero();
      assertThat(count(url, "attempt = 2 AND NOT errors::text LIKE '%rescued from a lost worker%'"))
          .isZero();

      // Both listeners reconnected and deliver again...
      for (int i = 0; i < stores.size(); i++) {
        PgNotifier notifier = listener(stores.get(i));
        assertThat(notifier.connectionsOpened())
            .as("listening connections of node %d", i)
            .isGreaterThan(opened[i]);
        Set<String> heard = ConcurrentHashMap.newKeySet();
        try (AutoCloseable sub = notifier.subscribe("restart-check", heard::add)) {
          String payload = "hello-" + i;
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> {
                notifier.publish("restart-check", payload);
                return heard.contains(payload);
              });
        }
      }
      // ...and neither node is wedged: each runs a job only it serves, and nothing is left running.
      for (Offload node : nodes) {
        JobId id =
            node.enqueue(
                "work",
                new Work(JOBS + nodes.indexOf(node)),
                dev.offload.EnqueueOptions.none().queue("only-" + node.node()));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> node.job(id).orElseThrow().state() == JobState.SUCCEEDED);
        assertThat(node.job(id).orElseThrow().node()).isEqualTo(node.node());
      }
      assertThat(count(url, "state = 'running'")).isZero();
    } finally {
      nodes.forEach(Offload::close);
    }
  }

  private static PgNotifier listener(PostgresStore store) {
    Notifier notifier = store.notifier();
    return (PgNotifier) notifier;
  }

  private static long count(String url, String where) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + SCHEMA + ".jobs WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void ctl(String... action) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, cluster));
    command.addAll(List.of(action));
    run(command.toArray(String[]::new));
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", command)
              + " failed with exit "
              + p.exitValue()
              + ":\n"
              + new String(out, StandardCharsets.UTF_8));
    }
  }
}
