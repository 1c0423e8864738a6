package dev.offload.bench;

import static dev.offload.bench.Main.num;

import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.QueueOptions;
import dev.offload.postgres.PostgresStore;
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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code --nodes 1,2,4}: Offload on PostgreSQL draining {@code --jobs} no-op jobs with 1, 2 and 4
 * worker processes (each a JVM of its own, {@code --threads} split between them) on one schema.
 *
 * <p>Per run: the parent creates the schema, starts the processes and waits until each says it is
 * working, drains a warm-up batch (a tenth of the jobs, at least 1,000, for each process: every JVM
 * then sees as much of it as the one of a single node does) so every JVM is compiled and connected,
 * then enqueues the measured batch in one transaction: the clock starts at its commit and stops
 * when the database shows every job succeeded. Meanwhile it samples {@code pg_stat_activity} every
 * {@value #SAMPLE_MILLIS} ms (the processes' connections only, by application name) and counts the
 * wait events. Each process counts its claims ({@link StoreCounter}) and writes the id of every job
 * it ran; the parent fails the benchmark if any job ran twice or took a second attempt. Node counts
 * are interleaved across repeats.
 */
final class Nodes {
  static final long SAMPLE_MILLIS = 50;
  private static final int ENQUEUE_CHUNK = 5_000;

  private Nodes() {}

  static void run(Main main, BenchOptions options) throws Exception {
    int warm = Math.max(1_000, options.jobs() / 10);
    System.out.printf(
        "%nNodes: Offload on PostgreSQL, %,d no-op jobs after a warm-up of %,d per process, %d threads split"
            + " between %s processes, %d repeat(s), each JVM %s; load average %s%n",
        options.jobs(),
        warm,
        options.threads(),
        options.nodes(),
        options.repeat(),
        Main.javaOpts("OFFLOAD_BENCH_JAVA_OPTS"),
        FlowScenarios.loadAverage());
    List<Boolean> variants = options.nodesFlow() ? List.of(false, true) : List.of(false);
    Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
    for (int rep = 1; rep <= options.repeat(); rep++) {
      for (boolean flow : variants) {
        for (int n : options.nodes()) {
          String scenario = scenario(n, flow);
          System.out.printf("  [%d/%d] %-14s ", rep, options.repeat(), scenario);
          System.out.flush();
          Map<String, Object> r = once(main, options, n, flow, warm, scenario + "-" + rep);
          System.out.printf(
              "drain %,9.0f/s  steady %,9.0f/s  %s%n",
              num(r.get("drainPerSec")), num(r.get("drainSteadyPerSec")), claimsText(r));
          runs.computeIfAbsent(scenario, k -> new ArrayList<>()).add(r);
        }
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (boolean flow : variants) {
      Double base = null;
      for (int n : options.nodes()) {
        Map<String, Object> row =
            aggregate(scenario(n, flow), n, flow, options, runs.get(scenario(n, flow)));
        if (base == null) {
          base = num(row.get("drainPerSec"));
        }
        row.put("ratioToFirst", Child.round(num(row.get("drainPerSec")) / base));
        rows.add(row);
      }
    }
    print(rows, options);
    Results.write(main.target(), rows);
  }

  static String scenario(int nodes, boolean flow) {
    return "nodes-" + nodes + (flow ? "-flow" : "");
  }

  private static Map<String, Object> aggregate(
      String scenario,
      int nodes,
      boolean flow,
      BenchOptions options,
      List<Map<String, Object>> runs) {
    Map<String, Object> row = Results.row(scenario, options.jobs(), options.threads());
    row.put("nodes", nodes);
    row.put("limits", flow ? "maxRunning " + options.threads() : "none");
    Stats.putMedians(row, runs, "drainPerSec", "drainSteadyPerSec", "drainSecs");
    row.put("drainMinPerSec", Stats.min(Stats.values(runs, "drainPerSec")));
    row.put("drainMaxPerSec", Stats.max(Stats.values(runs, "drainPerSec")));
    row.put("repeats", runs.size());
    row.put("jobsRunTwice", 0);
    Map<String, Long> waits = new TreeMap<>();
    Map<String, Long> claims = new LinkedHashMap<>();
    long samples = 0;
    for (Map<String, Object> r : runs) {
      samples += ((Number) r.get("waitSamples")).longValue();
      addAll(waits, r.get("waitEvents"));
      addAll(claims, r.get("claims"));
    }
    row.put("waitSamples", samples);
    row.put("waitEvents", waits);
    row.put("claims", claims);
    row.put("runs", runs);
    return row;
  }

  @SuppressWarnings("unchecked")
  private static void addAll(Map<String, Long> into, Object counts) {
    ((Map<String, Object>) counts)
        .forEach((k, v) -> into.merge(k, ((Number) v).longValue(), Long::sum));
  }

  /** One drain with {@code nodes} worker processes on a fresh schema. */
  private static Map<String, Object> once(
      Main main, BenchOptions options, int nodes, boolean flow, int warm, String name)
      throws Exception {
    String schema = Main.schema("nodes");
    Pg.createSchema(schema);
    String url = Pg.withSchema(Pg.baseUrl(), schema);
    List<ChildProcess> children = new ArrayList<>();
    List<Path> runFiles = new ArrayList<>();
    try (Offload client =
            Offload.builder()
                .store(PostgresStore.connect(url, 2))
                .register(
                    OffloadSubject.KIND, BenchArgs.class, (a, c) -> null, JobOptions.defaults())
                .build();
        Connection probe = Pg.connect(url)) {
      if (flow) {
        client.updateQueue("default", QueueOptions.none().maxRunning(options.threads()));
      }
      for (int i = 0; i < nodes; i++) {
        // The threads split as evenly as they go: 16 over 3 is 6, 5, 5.
        int threads = options.threads() / nodes + (i < options.threads() % nodes ? 1 : 0);
        Path runs = main.target().resolve("bench-logs").resolve(name + "-node-" + i + ".runs");
        Files.deleteIfExists(runs);
        runFiles.add(runs);
        children.add(
            ChildProcess.start(
                main.target(),
                name + "-node-" + i,
                Main.javaOpts("OFFLOAD_BENCH_JAVA_OPTS"),
                "mode=node",
                "threads=" + threads,
                "schema=" + schema,
                "capacity=" + (warm * nodes + options.jobs()),
                "runsFile=" + runs));
      }
      for (ChildProcess c : children) {
        c.await("READY", Duration.ofMinutes(2));
      }
      String unfinished = "SELECT count(*) FROM jobs WHERE state <> 'succeeded'";
      enqueue(client, null, warm * nodes);
      Child.awaitFinished(() -> Pg.count(probe, unfinished), deadline(10));
      long warmMaxId = Pg.count(probe, "SELECT coalesce(max(id), 0) FROM jobs");
      for (ChildProcess c : children) {
        c.send("MEASURE");
        c.await("MEASURING", Duration.ofMinutes(1));
      }

      // The measured batch in one transaction: every job becomes claimable at its commit.
      try (Connection tx = Pg.connect(url)) {
        tx.setAutoCommit(false);
        enqueue(client, tx, options.jobs());
        tx.commit();
      }
      WaitSampler sampler = WaitSampler.start();
      Map<String, Long> pgBefore = backendCpu(probe);
      long t0 = System.nanoTime();
      Child.awaitFinished(() -> Pg.count(probe, unfinished), deadline(30));
      double secs = (System.nanoTime() - t0) / 1e9;
      long pgCpuMs = 0;
      for (Map.Entry<String, Long> e : backendCpu(probe).entrySet()) {
        pgCpuMs += e.getValue() - pgBefore.getOrDefault(e.getKey(), 0L);
      }
      Map<String, Long> waits = sampler.stop();
      long left = Pg.count(probe, unfinished);
      long retried = Pg.count(probe, "SELECT count(*) FROM jobs WHERE attempt > 1");

      for (ChildProcess c : children) {
        c.send("STOP");
      }
      List<Map<String, Object>> results = new ArrayList<>();
      for (ChildProcess c : children) {
        results.add(c.result());
      }
      children.clear();
      NodeRuns all = NodeRuns.read(runFiles);
      Map<Long, Integer> twice = all.repeated();
      int measuredRuns = all.countAbove(warmMaxId);
      if (!twice.isEmpty() || retried > 0 || left > 0 || measuredRuns != options.jobs()) {
        throw new IllegalStateException(
            "%s: %d job(s) ran more than once (first: %s), %d took a second attempt, %d unfinished,"
                    .formatted(name, twice.size(), first(twice), retried, left)
                + " %d runs of %d measured jobs (see %s)"
                    .formatted(measuredRuns, options.jobs(), runFiles));
      }
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("nodes", nodes);
      r.put("drainSecs", Child.round(secs));
      r.put("drainPerSec", Child.round(options.jobs() / secs));
      r.put("drainSteadyPerSec", Child.round(all.steadyPerSecAbove(warmMaxId)));
      r.put("loadAverage", FlowScenarios.loadAverage());
      r.put("waitSamples", sampler.samples());
      r.put("pgBackendCpuMs", pgCpuMs);
      r.put("waitEvents", waits);
      Map<String, Long> claims = new LinkedHashMap<>();
      for (Map<String, Object> c : results) {
        for (String k :
            List.of(
                "claims",
                "claimRowsAsked",
                "claimRows",
                "shortClaims",
                "shortClaimsWithWork",
                "claimMicros",
                "completeCalls",
                "completeMicros")) {
          claims.merge(k, ((Number) c.get(k)).longValue(), Long::sum);
        }
      }
      r.put("claims", claims);
      r.put("processes", results);
      for (Path p : runFiles) {
        Files.deleteIfExists(p);
      }
      return r;
    } finally {
      children.forEach(ChildProcess::kill);
      Pg.dropSchema(schema);
    }
  }

  /**
   * CPU milliseconds so far of each PostgreSQL backend serving the worker processes, by pid (read
   * from /proc: the database runs on this machine; empty otherwise).
   */
  private static Map<String, Long> backendCpu(Connection probe) throws Exception {
    Map<String, Long> cpu = new TreeMap<>();
    try (Statement s = probe.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pid FROM pg_stat_activity WHERE application_name = '"
                    + OffloadSubject.NODE_APPLICATION
                    + "' AND datname = current_database()")) {
      while (rs.next()) {
        String pid = Long.toString(rs.getLong(1));
        cpu.put(pid, ThreadCpu.of(pid).values().stream().mapToLong(Long::longValue).sum());
      }
    }
    return cpu;
  }

  private static long deadline(int minutes) {
    return System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
  }

  private static String first(Map<Long, Integer> twice) {
    return twice.entrySet().stream()
        .limit(10)
        .map(e -> e.getKey() + "×" + e.getValue())
        .toList()
        .toString();
  }

  /** Enqueues {@code n} drain jobs, {@value #ENQUEUE_CHUNK} per call, in {@code tx} if given. */
  private static void enqueue(Offload client, Connection tx, int n) {
    BenchArgs args = new BenchArgs(BenchJobs.DRAIN);
    for (int done = 0; done < n; done += ENQUEUE_CHUNK) {
      List<JobRequest> chunk = new ArrayList<>();
      for (int i = 0; i < Math.min(ENQUEUE_CHUNK, n - done); i++) {
        chunk.add(JobRequest.of(OffloadSubject.KIND, args));
      }
      if (tx == null) {
        client.enqueueAll(chunk);
      } else {
        client.enqueueAll(tx, chunk);
      }
    }
  }

  private static String claimsText(Map<String, Object> r) {
    @SuppressWarnings("unchecked")
    Map<String, Long> c = (Map<String, Long>) r.get("claims");
    long claims = c.get("claims");
    long completes = c.get("completeCalls");
    return "claims %,d (%.0f rows, %.1f ms each), short %,d (%,d with work left); completions %,d (%.1f ms each)"
        .formatted(
            claims,
            claims == 0 ? 0.0 : (double) c.get("claimRows") / claims,
            claims == 0 ? 0.0 : c.get("claimMicros") / 1e3 / claims,
            c.get("shortClaims"),
            c.get("shortClaimsWithWork"),
            completes,
            completes == 0 ? 0.0 : c.get("completeMicros") / 1e3 / completes);
  }

  private static void print(List<Map<String, Object>> rows, BenchOptions options) {
    System.out.printf(
        "%nMedians of %d run(s); %,d jobs, %d threads in all; claims counted over the measured"
            + " drains.%n%-15s %11s %11s %19s %9s %s%n",
        options.repeat(),
        options.jobs(),
        options.threads(),
        "scenario",
        "drain/s",
        "steady/s",
        "spread (min–max)",
        "÷ first",
        "claims, short (with work left)");
    for (Map<String, Object> r : rows) {
      double[] v = new double[5];
      int i = 0;
      for (String f :
          List.of(
              "drainPerSec",
              "drainSteadyPerSec",
              "drainMinPerSec",
              "drainMaxPerSec",
              "ratioToFirst")) {
        v[i++] = num(r.get(f));
      }
      System.out.printf(
          "%-15s %,11.0f %,11.0f %,9.0f–%,-9.0f %8.2f× %s%n",
          r.get("scenario"), v[0], v[1], v[2], v[3], v[4], claimsText(r));
    }
    System.out.printf(
        "%nWait events of the workers' busy connections (pg_stat_activity every %d ms, summed):%n",
        SAMPLE_MILLIS);
    for (Map<String, Object> r : rows) {
      System.out.printf("%-15s %s%n", r.get("scenario"), topWaits(r));
    }
    System.out.printf(
        "%nCPU per job over the measured drains (µs; the workers' JVMs from /proc/self/task,"
            + " their PostgreSQL backends from /proc/PID):%n");
    for (Map<String, Object> r : rows) {
      System.out.printf("%-15s %s%n", r.get("scenario"), cpuText(r, options.jobs()));
    }
    System.out.println("  No job ran twice or took a second attempt (checked in every run).");
    for (Map<String, Object> r : rows) {
      if (r.get("scenario").equals("nodes-4")) {
        double ratio = num(r.get("ratioToFirst"));
        System.out.printf(
            "  %-7s 4 nodes ≥ 80%% of 1 node (issue 17): %.2f×%n",
            ratio >= 0.8 ? "MET" : "NOT MET", ratio);
      }
    }
  }

  /** The JVMs' and backends' CPU per job, and the JVMs' busiest threads. */
  @SuppressWarnings("unchecked")
  private static String cpuText(Map<String, Object> r, int jobs) {
    Map<String, Long> threads = new TreeMap<>();
    long pg = 0;
    List<Map<String, Object>> runs = (List<Map<String, Object>>) r.get("runs");
    for (Map<String, Object> run : runs) {
      pg += ((Number) run.get("pgBackendCpuMs")).longValue();
      for (Map<String, Object> p : (List<Map<String, Object>>) run.get("processes")) {
        addAll(threads, p.get("cpuMsByThread"));
      }
    }
    double perJob = 1_000.0 / jobs / runs.size();
    long jvm = threads.values().stream().mapToLong(Long::longValue).sum();
    return "JVMs %.1f, backends %.1f; %s"
        .formatted(
            jvm * perJob,
            pg * perJob,
            threads.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(6)
                .map(e -> "%s %.1f".formatted(e.getKey(), e.getValue() * perJob))
                .toList());
  }

  @SuppressWarnings("unchecked")
  private static String topWaits(Map<String, Object> r) {
    Map<String, Long> w = (Map<String, Long>) r.get("waitEvents");
    return w.entrySet().stream()
            .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
            .limit(6)
            .map(e -> e.getKey() + " " + e.getValue())
            .toList()
        + " of "
        + r.get("waitSamples");
  }

  /**
   * Counts, every {@value #SAMPLE_MILLIS} ms, the worker processes' connections that are not idle
   * by {@code wait_event_type:wait_event} ({@code CPU:running} when there is none).
   */
  static final class WaitSampler {
    private final Map<String, Long> counts = new TreeMap<>();
    private final Thread thread;
    private volatile boolean stopping;
    private long samples;

    private WaitSampler() {
      thread = Thread.ofPlatform().daemon().name("wait-sampler").start(this::sample);
    }

    static WaitSampler start() {
      return new WaitSampler();
    }

    private void sample() {
      String sql =
          "SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, 'running'),"
              + " count(*) FROM pg_stat_activity WHERE application_name = '"
              + OffloadSubject.NODE_APPLICATION
              + "' AND datname = current_database() AND state <> 'idle' GROUP BY 1";
      try (Connection c = Pg.connect(Pg.baseUrl());
          Statement s = c.createStatement()) {
        while (!stopping) {
          try (ResultSet rs = s.executeQuery(sql)) {
            synchronized (this) {
              samples++;
              while (rs.next()) {
                counts.merge(rs.getString(1), rs.getLong(2), Long::sum);
              }
            }
          }
          Thread.sleep(SAMPLE_MILLIS);
        }
      } catch (Exception e) {
        if (!stopping) {
          System.err.println("wait sampler: " + e);
        }
      }
    }

    synchronized long samples() {
      return samples;
    }

    Map<String, Long> stop() throws InterruptedException {
      stopping = true;
      thread.join(5_000);
      synchronized (this) {
        return new TreeMap<>(counts);
      }
    }
  }
}
