package dev.offload.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of {@code bench/run}, parsed. Defaults: 100,000 jobs, 16 threads, 3 repeats,
 * 1,000 idle-latency probes, every system; {@code --quick} is 2,000 jobs, 1 repeat, 200 probes.
 */
record BenchOptions(
    int jobs,
    int threads,
    int repeat,
    int probes,
    List<String> systems,
    List<Integer> nodes,
    boolean quick,
    boolean scale,
    boolean progress,
    boolean workflow,
    boolean push,
    boolean flow,
    boolean nodesFlow,
    boolean compare,
    boolean help) {

  static final List<String> ALL_SYSTEMS = List.of("offload", "db-scheduler", "jobrunr", "raw-sql");
  static final int DEFAULT_JOBS = 100_000;
  static final int QUICK_JOBS = 2_000;
  // A p99 over 1,000 probes is their tenth slowest; over 200 it was the second or third, so two
  // slow probes decided it.
  static final int DEFAULT_PROBES = 1_000;
  static final int QUICK_PROBES = 200;
  // Ten times as many unmeasured probes go first, 2 ms apart: 100,000 is about an hour of them.
  static final int MAX_PROBES = 100_000;

  /** Flags that run a series of their own and, alone, skip the comparison. */
  private static final List<String> SERIES =
      List.of("--scale", "--progress", "--workflow", "--push", "--flow", "--nodes");

  private static final List<String> FLAGS =
      List.of(
          "--quick",
          "--scale",
          "--progress",
          "--workflow",
          "--push",
          "--flow",
          "--nodes-flow",
          "--compare");

  static BenchOptions parse(String... args) {
    Integer jobs = null;
    Integer threads = null;
    Integer repeat = null;
    Integer probes = null;
    List<String> systems = ALL_SYSTEMS;
    List<Integer> nodes = List.of();
    Set<String> flags = new HashSet<>();
    CommandLine line = new CommandLine(args);
    while (line.next()) {
      switch (line.name()) {
        case "--jobs" -> jobs = line.positive();
        case "--threads" -> threads = line.positive();
        case "--repeat" -> repeat = line.positive();
        case "--probes" -> {
          probes = line.positive();
          if (probes > MAX_PROBES) {
            throw new IllegalArgumentException(
                "--probes must be at most " + MAX_PROBES + ", got " + probes);
          }
        }
        case "--systems" -> systems = systems(line.value());
        case "--nodes" -> {
          nodes = nodeCounts(line.value());
          flags.add("--nodes");
        }
        case "-h", "--help" -> flags.add("--help");
        default -> {
          if (!FLAGS.contains(line.name()) || line.hasInlineValue()) {
            throw line.unknown();
          }
          flags.add(line.name());
        }
      }
    }
    if (flags.contains("--nodes-flow") && nodes.isEmpty()) {
      throw new IllegalArgumentException("--nodes-flow needs --nodes LIST");
    }
    boolean quick = flags.contains("--quick");
    int threadCount = threads != null ? threads : 16;
    for (int n : nodes) {
      if (n > threadCount) {
        throw new IllegalArgumentException(
            "--nodes " + n + " is more than --threads " + threadCount + " (threads are split)");
      }
    }
    // A series flag alone skips the comparison unless --compare (or --quick) asks for it too.
    boolean onlySeries =
        SERIES.stream().anyMatch(flags::contains)
            && !flags.contains("--compare")
            && !flags.contains("--quick");
    return new BenchOptions(
        jobs != null ? jobs : quick ? QUICK_JOBS : DEFAULT_JOBS,
        threadCount,
        repeat != null ? repeat : quick ? 1 : 3,
        probes != null ? probes : quick ? QUICK_PROBES : DEFAULT_PROBES,
        systems,
        nodes,
        quick,
        flags.contains("--scale"),
        flags.contains("--progress"),
        flags.contains("--workflow"),
        flags.contains("--push"),
        flags.contains("--flow"),
        flags.contains("--nodes-flow"),
        !onlySeries,
        flags.contains("--help"));
  }

  private static List<Integer> nodeCounts(String value) {
    List<Integer> out = new ArrayList<>();
    for (String s : value.split(",")) {
      int n = CommandLine.positive("--nodes", s);
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    return List.copyOf(out);
  }

  private static List<String> systems(String value) {
    List<String> out = new ArrayList<>();
    for (String s : value.split(",")) {
      String name = s.trim();
      if (!ALL_SYSTEMS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown system '" + name + "', expected some of " + String.join(",", ALL_SYSTEMS));
      }
      if (!out.contains(name)) {
        out.add(name);
      }
    }
    return List.copyOf(out);
  }

  static String usage() {
    return """
    Usage: bench/run [--jobs N] [--threads N] [--repeat N] [--probes N]
                     [--systems offload,db-scheduler,jobrunr,raw-sql]
                     [--quick] [--scale] [--progress] [--workflow] [--push] [--flow]
                     [--nodes 1,2,4 [--nodes-flow]] [--compare]

    Runs Offload, db-scheduler, JobRunr and a raw-SQL floor against the same PostgreSQL, each in a
    fresh schema and its own JVM, plus Offload on SQLite, and prints one row per system (median of
    the repeats) with ratios against Offload. Every series merges its rows into
    offload-bench/target/results.json, replacing the rows of the scenarios it ran and keeping the
    others (the comparison's rows have no "scenario").

      --jobs N        no-op jobs per drain (default 100000; --quick 2000); also the measured batch
                      of --nodes
      --threads N     worker threads of every system (default 16); --nodes splits them between
                      the processes
      --repeat N      runs per system; figures are medians (default 3; --quick 1)
      --probes N      idle-latency probes per run, 20 ms apart (--quick: 5 ms), after ten times
                      as many 2 ms apart, reported as "cold" (default 1000; --quick 200;
                      at most 100000)
      --systems LIST  which PostgreSQL systems to run (default all four); Offload on SQLite runs
                      whenever offload is listed
      --quick         a smoke run of about a minute, for CI
      --scale         Offload's drain of 100k jobs on an empty table, with 1M finished rows and with
                      1M pending rows, and of 1M pending never analysed against after ANALYZE
                      (rows "scenario": empty-100k, finished-1m, pending-1m,
                      pending-1m-unanalysed, pending-1m-analysed; long). Alone, skips the comparison
      --progress      a job calling advance(1) ten million times against one that does not
                      (results-progress.json). Alone, skips the comparison
      --workflow      Offload enqueuing a workflow of 10,000 steps (one root, 9,998 steps after it,
                      one join after those) in one transaction on PostgreSQL; the row
                      "scenario": "workflow-10000-steps". Alone, skips the comparison
      --push          push-1000: 1,000 jobs pushed to a local endpoint answering in 50 ms beside
                      1,000 pull jobs of 50 ms, one node, concurrency 100 (a push-1000 row).
                      Alone, skips the comparison
      --flow          flow control: 20,000 jobs over 1,000 keys with a per-key limit of 1, a
                      queue limit equal to --threads, a rate of 1,000/s, each against the same
                      run without limits, on PostgreSQL and on SQLite (one row per scenario
                      and store; --quick: a tenth of the jobs). Alone, skips the comparison
      --nodes LIST    Offload on PostgreSQL draining --jobs no-op jobs with each number of worker
                      processes in LIST (each its own JVM, --threads split between them), timed
                      after all are up and a warm-up batch ran; checks that no job ran twice,
                      samples pg_stat_activity wait events and counts claims (rows "scenario":
                      nodes-N). Alone, skips the comparison
      --nodes-flow    with --nodes: the same series again with a cluster-wide queue limit of
                      --threads (maxRunning), rows nodes-N-flow
      --compare       run the comparison too when a series flag above is given

    Environment:
      OFFLOAD_BENCH_PG_URL     default jdbc:postgresql://127.0.0.1:5432/test?user=postgres
      OFFLOAD_BENCH_JAVA_OPTS  JVM options of each system's JVM (default -Xms64m -Xmx512m)
      OFFLOAD_BENCH_SCALE_JAVA_OPTS  JVM options of --scale's JVMs (default -Xms64m -Xmx256m)

    See also bench/soak --help: a steady mixed load for N minutes.
    """;
  }
}
