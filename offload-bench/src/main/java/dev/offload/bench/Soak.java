package dev.offload.bench;

import static dev.offload.bench.Main.num;

import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Offload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * {@code bench/soak}: Offload on PostgreSQL under a steady mixed load for {@code --minutes}. A
 * worker process ({@link SoakChild#worker}: one node, {@code --threads} concurrent jobs, retention
 * pruning after {@code --retention}) works jobs that a separate enqueuing process ({@link
 * SoakChild#enqueuer}) adds at {@code --rate} a second: 90 % take 20 ms, 9 % take 1 s, 1 % fail
 * (half permanently, half on every attempt until dead after 3). Without {@code --rate} the rate is
 * half of the capacity measured first: a batch of the same mix (without failures) drained by the
 * worker. Each minute: throughput, start latency p50/p99, the worker's heap after {@code
 * System.gc()}, the table's and its indexes' size and dead tuples. At the end a verdict per target
 * (issue 17), and the rows in {@code target/soak.json}.
 */
final class Soak {
  private Soak() {}

  /** The command line of {@code bench/soak}. {@code rate} 0: half the measured capacity. */
  record Options(
      int minutes, double rate, int threads, int retentionSecs, boolean vacuum, boolean help) {
    static Options parse(String... args) {
      int minutes = 10;
      double rate = 0;
      int threads = 100;
      int retention = 60;
      boolean vacuum = true;
      boolean help = false;
      CommandLine line = new CommandLine(args);
      while (line.next()) {
        switch (line.name()) {
          case "--minutes" -> minutes = line.positive();
          case "--rate" -> rate = line.positive();
          case "--threads" -> threads = line.positive();
          case "--retention" -> retention = line.positive();
          case "--no-vacuum" -> vacuum = false;
          case "-h", "--help" -> help = true;
          default -> throw line.unknown();
        }
      }
      return new Options(minutes, rate, threads, retention, vacuum, help);
    }
  }

  static String usage() {
    return """
    Usage: bench/soak [--minutes N] [--rate N] [--threads N] [--retention SECONDS] [--no-vacuum]

    Offload on PostgreSQL under a steady mixed load: 90 % of jobs take 20 ms, 9 % take 1 s, 1 % fail
    (half permanently, half on each of 3 attempts). One worker process, and a separate process
    enqueuing at a steady rate. Prints each minute's throughput, start latency p50/p99, the
    worker's heap after a full GC, the jobs table's and its indexes' size and dead tuples; at the
    end a verdict per target. Writes offload-bench/target/soak.json.

      --minutes N      how long the load runs (default 10)
      --rate N         jobs enqueued a second (default: half the capacity measured first, by
                       draining a batch of the same mix)
      --threads N      the worker's concurrency (default 100; handlers run on virtual threads)
      --retention S    seconds finished jobs are kept before pruning (default 60; the pruner runs
                       once a minute)
      --no-vacuum      when the server's autovacuum is off (as here), do not run VACUUM on the
                       jobs table each minute in its stead

    Environment: OFFLOAD_BENCH_PG_URL, OFFLOAD_BENCH_JAVA_OPTS (the worker's and the enqueuer's
    JVMs, default -Xms64m -Xmx512m), as for bench/run.
    """;
  }

  public static void main(String[] args) throws Exception {
    Options options = Main.parseOrExit("bench/soak", () -> Options.parse(args));
    if (options.help()) {
      System.out.print(usage());
      return;
    }
    Path target = Path.of(System.getProperty("bench.target", "offload-bench/target"));
    Files.createDirectories(target.resolve("bench-logs"));
    String schema = Main.schema("soak");
    Pg.createSchema(schema);
    try {
      run(options, target, schema);
    } finally {
      Pg.dropSchema(schema);
    }
    System.exit(0);
  }

  private static void run(Options options, Path target, String schema) throws Exception {
    String opts = Main.javaOpts("OFFLOAD_BENCH_JAVA_OPTS");
    boolean autovacuum;
    try (Connection c = Pg.connect(Pg.baseUrl())) {
      autovacuum = Pg.count(c, "SELECT (current_setting('autovacuum') = 'on')::int") == 1;
    }
    boolean vacuum = options.vacuum() && !autovacuum;
    LinkedBlockingQueue<String> workerLines = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<String> enqueuerLines = new LinkedBlockingQueue<>();
    ChildProcess worker = null;
    ChildProcess enqueuer = null;
    try (Offload client =
            SoakChild.builder(schema, 2)
                .register(
                    SoakChild.KIND, SoakChild.SoakArgs.class, (a, c) -> null, SoakChild.OPTIONS)
                .build();
        Connection probe = Pg.connect(Pg.withSchema(Pg.baseUrl(), schema))) {
      worker =
          ChildProcess.start(
                  target,
                  "soak-worker",
                  opts,
                  "mode=soak-worker",
                  "schema=" + schema,
                  "threads=" + options.threads(),
                  "retentionSecs=" + options.retentionSecs())
              .onLine(workerLines::add);
      worker.await("READY", Duration.ofMinutes(2));

      double rate = options.rate();
      long capacityJobs = 0;
      if (rate == 0) {
        capacityJobs = 30L * options.threads();
        double capacity = capacity(client, probe, (int) capacityJobs);
        rate = Math.max(1, Math.round(capacity / 2));
        System.out.printf(
            "Capacity: %,d jobs of the mix drained at %,.0f jobs/s; soaking at half: %,.0f/s%n",
            capacityJobs, capacity, rate);
      }
      System.out.printf(
          "Soak: %d minute(s) at %,.0f jobs/s, %d threads, retention %d s, VACUUM each minute: %s"
              + " (server autovacuum %s); load average %s%n",
          options.minutes(),
          rate,
          options.threads(),
          options.retentionSecs(),
          vacuum ? "yes, standing in for autovacuum" : "no",
          autovacuum ? "on" : "off",
          FlowScenarios.loadAverage());
      worker.send("MARK"); // starts the first minute
      minute(workerLines);
      enqueuer =
          ChildProcess.start(
                  target,
                  "soak-enqueuer",
                  opts,
                  "mode=soak-enqueue",
                  "schema=" + schema,
                  "rate=" + rate)
              .onLine(enqueuerLines::add);
      enqueuer.await("READY", Duration.ofMinutes(2));

      System.out.printf(
          "%n%6s %9s %9s %9s %9s %9s %8s %9s %9s %10s %8s%n",
          "minute",
          "enqueued",
          "finished",
          "failed",
          "lat p50",
          "lat p99",
          "heap",
          "table",
          "indexes",
          "dead tup",
          "rows");
      System.out.printf(
          "%6s %9s %9s %9s %9s %9s %8s %9s %9s %10s %8s%n",
          "", "", "jobs", "attempts", "ms", "ms", "MiB", "MiB", "MiB", "", "");
      List<Map<String, Object>> minutes = new ArrayList<>();
      long start = System.nanoTime();
      for (int m = 1; m <= options.minutes(); m++) {
        long due = start + TimeUnit.MINUTES.toNanos(m);
        TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
        enqueuer.send("MARK");
        worker.send("MARK");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("minute", m);
        row.put("enqueued", minute(enqueuerLines).get("enqueued"));
        Map<String, Object> w = minute(workerLines);
        row.putAll(w);
        row.put("loadAverage", FlowScenarios.loadAverage());
        row.putAll(table(probe, schema));
        if (vacuum) {
          try (Statement s = probe.createStatement()) {
            s.execute("VACUUM " + schema + ".jobs");
          }
        }
        print(row);
        minutes.add(row);
      }
      enqueuer.send("STOP");
      long enqueued = ((Number) enqueuer.result().get("enqueued")).longValue();
      enqueuer = null;
      long inFlightAtStop = Pg.count(probe, unfinished());
      // Let what is in flight finish (1-s jobs, retries a second apart), then count.
      long expected = capacityJobs + enqueued;
      long finished = 0;
      long inFlight = inFlightAtStop;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        worker.send("MARK");
        finished = ((Number) minute(workerLines).get("finishedTotal")).longValue();
        inFlight = Pg.count(probe, unfinished());
        if (inFlight == 0 && finished >= expected) {
          break;
        }
        Thread.sleep(500);
      }
      worker.send("STOP");
      worker.result();
      worker = null;
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("minutes", options.minutes());
      summary.put("rate", rate);
      summary.put("threads", options.threads());
      summary.put("retentionSecs", options.retentionSecs());
      summary.put("vacuumEachMinute", vacuum);
      summary.put("capacityJobs", capacityJobs);
      summary.put("enqueued", enqueued);
      summary.put("inFlightAtStop", inFlightAtStop);
      summary.put("finished", finished);
      summary.put("inFlightAtEnd", inFlight);
      summary.put("verdicts", verdicts(minutes, options, expected, finished, inFlight));
      summary.put("perMinute", minutes);
      Files.writeString(target.resolve("soak.json"), Main.JSON.writeValueAsString(summary));
      System.out.println("\nWrote " + target.resolve("soak.json"));
    } finally {
      if (worker != null) {
        worker.kill();
      }
      if (enqueuer != null) {
        enqueuer.kill();
      }
    }
  }

  private static String unfinished() {
    return "SELECT count(*) FROM jobs WHERE state NOT IN ('succeeded', 'dead', 'cancelled')";
  }

  /** Enqueues {@code n} jobs of the mix (no failures) in one transaction and times their drain. */
  private static double capacity(Offload client, Connection probe, int n) throws Exception {
    SplittableRandom random = new SplittableRandom(3);
    List<JobRequest> batch = new ArrayList<>();
    long now = SoakChild.nowMicros();
    for (int i = 0; i < n; i++) {
      batch.add(JobRequest.of(SoakChild.KIND, SoakChild.mix(random.nextInt(1_000), now, false)));
    }
    client.enqueueAll(batch);
    long t0 = System.nanoTime();
    Child.awaitFinished(() -> Pg.count(probe, unfinished()), t0 + TimeUnit.MINUTES.toNanos(10));
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  /** The next {@code MINUTE} line of a child, parsed. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> minute(LinkedBlockingQueue<String> lines) throws Exception {
    while (true) {
      String line = lines.poll(2, TimeUnit.MINUTES);
      if (line == null) {
        throw new IllegalStateException("a soak process did not answer MARK within 2 minutes");
      }
      if (line.startsWith("MINUTE ")) {
        return Main.JSON.readValue(line.substring(7), LinkedHashMap.class);
      }
    }
  }

  private static Map<String, Object> table(Connection probe, String schema) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    try (Statement s = probe.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pg_total_relation_size(relid), pg_indexes_size(relid), n_dead_tup,"
                    + " (SELECT count(*) FROM jobs) FROM pg_stat_user_tables"
                    + " WHERE schemaname = '"
                    + schema
                    + "' AND relname = 'jobs'")) {
      rs.next();
      m.put("tableMb", Child.round(rs.getLong(1) / 1048576.0));
      m.put("indexesMb", Child.round(rs.getLong(2) / 1048576.0));
      m.put("deadTuples", rs.getLong(3));
      m.put("rows", rs.getLong(4));
    }
    return m;
  }

  private static void print(Map<String, Object> r) {
    System.out.printf(
        "%6d %,9d %,9d %,9d %9.2f %9.2f %8.1f %9.1f %9.1f %,10d %,8d%n",
        ((Number) r.get("minute")).intValue(),
        ((Number) r.get("enqueued")).longValue(),
        ((Number) r.get("finished")).longValue(),
        ((Number) r.get("failedAttempts")).longValue(),
        num(r.get("latencyP50Ms")),
        num(r.get("latencyP99Ms")),
        num(r.get("heapAfterGcMb")),
        num(r.get("tableMb")),
        num(r.get("indexesMb")),
        ((Number) r.get("deadTuples")).longValue(),
        ((Number) r.get("rows")).longValue());
  }

  /**
   * The first minute after the table can have reached its level: retention, plus the pruner's
   * minute, plus the minute being measured.
   */
  static int levelFrom(int retentionSecs) {
    return (int) Math.ceil((retentionSecs + 60) / 60.0) + 1;
  }

  /** The targets of issue 17, each met or not, printed and returned. */
  static Map<String, Object> verdicts(
      List<Map<String, Object>> minutes,
      Options options,
      long expected,
      long finished,
      long inFlight) {
    Map<String, Object> out = new LinkedHashMap<>();
    System.out.println("\nTargets (issue 17):");
    Map<String, Object> first = minutes.get(0);
    Map<String, Object> last = minutes.get(minutes.size() - 1);
    BiPredicate<Double, Double> within20 = (x, y) -> Stats.within(x, y, 0.2);
    // Level: the last value at most 20 % above the settled one.
    BiPredicate<Double, Double> level = (x, y) -> y <= 1.2 * x;
    judge(
        out, "throughput: last minute within 20% of the first", first, last, "finished", within20);
    judge(
        out,
        "start latency p99: last minute within 20% of the first",
        first,
        last,
        "latencyP99Ms",
        within20);
    int from = levelFrom(options.retentionSecs());
    if (minutes.size() <= from) {
      String why = "too short to judge: needs more than %d minutes".formatted(from);
      verdict(out, "heap after GC level", null, why);
      verdict(out, "table and index size level", null, why);
    } else {
      Map<String, Object> settled = minutes.get(from - 1);
      String since = " (minute %d to the last)".formatted(from);
      judge(out, "heap after GC level" + since, settled, last, "heapAfterGcMb", level);
      judge(out, "table and index size level" + since, settled, last, "tableMb", level);
    }
    verdict(
        out,
        "nothing lost: enqueued = finished + in flight",
        expected == finished + inFlight,
        "%,d enqueued, %,d finished, %,d in flight".formatted(expected, finished, inFlight));
    return out;
  }

  /** A verdict on field {@code f} of two minutes; {@code met} gets the first value and the last. */
  private static void judge(
      Map<String, Object> out,
      String what,
      Map<String, Object> a,
      Map<String, Object> b,
      String f,
      BiPredicate<Double, Double> met) {
    double x = num(a.get(f));
    double y = num(b.get(f));
    verdict(out, what, met.test(x, y), "%,.2f → %,.2f".formatted(x, y));
  }

  private static void verdict(Map<String, Object> out, String what, Boolean met, String detail) {
    System.out.printf(
        "  %-7s %-58s %s%n", met == null ? "n/a" : met ? "MET" : "NOT MET", what, detail);
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("met", met);
    v.put("detail", detail);
    out.put(what, v);
  }
}
