package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Offload;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The fixture of the multi-process flow-control tests: a schema of their own with a {@code runs}
 * table (one row per handler run, timed by the database's clock so intervals from several processes
 * compare), and child JVMs ({@link FlowWorkerMain}, {@link UniqueEnqueuerMain}) whose output goes
 * to {@code target/flow-*.log}.
 */
final class FlowNodes implements AutoCloseable {
  /** One handler run: which job, its key, the node that ran it, and its start and end. */
  record Run(long jobId, String key, String node, Instant started, Instant ended) {}

  /** A child JVM that printed "ready", and its standard input. */
  record Child(Process process, PrintWriter stdin) {}

  private final String schema;
  private final List<Process> processes = new ArrayList<>();

  FlowNodes(Class<?> owner) throws Exception {
    schema = TestDatabase.freshSchemaName(owner);
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
      st.execute(
          "CREATE TABLE "
              + schema
              + ".runs (job_id bigint, key text, node text, started timestamptz, ended timestamptz)");
    }
  }

  String schema() {
    return schema;
  }

  String url() {
    return TestDatabase.urlFor(schema);
  }

  /** A client (no workers) on the schema; its first use migrates it. */
  Offload client() {
    return Offload.builder().store(PostgresStore.connect(url(), 2)).build();
  }

  /** Starts worker processes side by side (a loaded machine takes seconds per JVM) until ready. */
  List<Process> startWorkers(String... nodes) throws Exception {
    List<CompletableFuture<Child>> starting = new ArrayList<>();
    for (String node : nodes) {
      starting.add(launch(FlowWorkerMain.class, "worker-" + node, line -> {}, url(), node));
    }
    List<Process> started = new ArrayList<>();
    for (CompletableFuture<Child> f : starting) {
      started.add(f.get(120, TimeUnit.SECONDS).process());
    }
    return started;
  }

  /** Starts one worker process with extra arguments (see {@link FlowWorkerMain}). */
  Process startWorker(String node, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of(url(), node));
    args.addAll(List.of(extra));
    return launch(FlowWorkerMain.class, "worker-" + node, line -> {}, args.toArray(String[]::new))
        .get(120, TimeUnit.SECONDS)
        .process();
  }

  /**
   * Launches {@code main} in a child JVM; completes once it printed "ready". Each later line goes
   * to {@code onLine} (on a reader thread) and to {@code target/flow-SCHEMA-NAME.log}.
   */
  CompletableFuture<Child> launch(
      Class<?> main, String name, Consumer<String> onLine, String... args) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                javaBin, "-Xmx128m", "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    processes.add(p);
    PrintWriter log =
        new PrintWriter(
            Files.newBufferedWriter(Path.of("target", "flow-" + schema + "-" + name + ".log")),
            true);
    PrintWriter stdin =
        new PrintWriter(
            new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8), true);
    CompletableFuture<Child> ready = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(() -> {
          try (BufferedReader out =
              new BufferedReader(
                  new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
              log.println(line);
              if (!ready.isDone()) {
                if (line.equals("ready")) {
                  ready.complete(new Child(p, stdin));
                }
              } else {
                onLine.accept(line);
              }
            }
          } catch (Exception e) {
            log.println("reading the output failed: " + e);
          } finally {
            log.close();
            ready.completeExceptionally(
                new AssertionError(
                    name
                        + " ended before it was ready (see target/flow-"
                        + schema
                        + "-"
                        + name
                        + ".log)"));
          }
        });
    return ready;
  }

  /**
   * Records each job's changes of state with the database's clock, from a trigger on {@code jobs}
   * (create it once the schema is migrated): {@code tx_start} is the start of the transaction that
   * made the change, {@code at} the moment its row was written.
   */
  void recordStateChanges() throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE "
              + schema
              + ".changes (job_id bigint, node text, state text, tx_start timestamptz, at timestamptz)");
      st.execute(
          "CREATE FUNCTION "
              + schema
              + ".record_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO "
              + schema
              + ".changes VALUES (NEW.id, NEW.lease_owner, NEW.state, now(), clock_timestamp());"
              + " RETURN NULL; END $$");
      st.execute(
          "CREATE TRIGGER record_change AFTER UPDATE OF state ON "
              + schema
              + ".jobs FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state) EXECUTE FUNCTION "
              + schema
              + ".record_change()");
    }
  }

  /** The finished handler runs. */
  List<Run> runs() throws Exception {
    List<Run> runs = new ArrayList<>();
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT job_id, key, node, started, ended FROM "
                    + schema
                    + ".runs WHERE ended IS NOT NULL")) {
      while (rs.next()) {
        runs.add(
            new Run(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getTimestamp(4).toInstant(),
                rs.getTimestamp(5).toInstant()));
      }
    }
    return runs;
  }

  /** How many jobs of the schema succeeded. */
  long succeeded() throws Exception {
    return count("SELECT count(*) FROM " + schema + ".jobs WHERE state = 'succeeded'");
  }

  long count(String sql) throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Kills every child, waits for them, and drops the schema. */
  @Override
  public void close() throws Exception {
    processes.forEach(Process::destroyForcibly);
    for (Process p : processes) {
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    TestDatabase.drop(schema);
  }

  /** The most runs that were in progress at one instant. */
  static int maxOverlap(List<Run> runs) {
    int max = 0;
    for (Run r : runs) {
      int at = 0;
      for (Run o : runs) {
        if (!o.started().isAfter(r.started()) && o.ended().isAfter(r.started())) {
          at++;
        }
      }
      max = Math.max(max, at);
    }
    return max;
  }

  /**
   * The share of the busy time (some run in progress) during which exactly {@code n} ran at once.
   */
  static double shareOfBusyTimeAt(List<Run> runs, int n) {
    List<long[]> events = new ArrayList<>();
    for (Run r : runs) {
      events.add(new long[] {micros(r.started()), 1});
      events.add(new long[] {micros(r.ended()), -1});
    }
    // Ends before starts at the same instant: back-to-back runs do not count as overlapping.
    events.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    long busy = 0;
    long atN = 0;
    int running = 0;
    for (int i = 0; i + 1 < events.size(); i++) {
      running += (int) events.get(i)[1];
      long span = events.get(i + 1)[0] - events.get(i)[0];
      if (running > 0) {
        busy += span;
      }
      if (running == n) {
        atN += span;
      }
    }
    return busy == 0 ? 0 : (double) atN / busy;
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }
}
