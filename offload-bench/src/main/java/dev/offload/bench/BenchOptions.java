package dev.offload.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code bench/run}, parsed. Defaults: 20,000 jobs, 16 threads, 3 repeats,
 * every system; {@code --quick} is 2,000 jobs, 1 repeat, a shorter latency probe.
 */
record BenchOptions(
    int jobs,
    int threads,
    int repeat,
    List<String> systems,
    boolean quick,
    boolean scale,
    boolean progress,
    boolean workflow,
    boolean push,
    boolean flow,
    boolean compare,
    boolean help) {

  static final List<String> ALL_SYSTEMS = List.of("offload", "db-scheduler", "jobrunr", "raw-sql");

  static BenchOptions parse(String... args) {
    Integer jobs = null;
    Integer threads = null;
    Integer repeat = null;
    List<String> systems = ALL_SYSTEMS;
    boolean quick = false;
    boolean scale = false;
    boolean progress = false;
    boolean workflow = false;
    boolean push = false;
    boolean flow = false;
    boolean compare = true;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      switch (a) {
        case "--jobs" -> jobs = positive(a, value != null ? value : next(args, ++i, a));
        case "--threads" -> threads = positive(a, value != null ? value : next(args, ++i, a));
        case "--repeat" -> repeat = positive(a, value != null ? value : next(args, ++i, a));
        case "--systems" -> systems = systems(value != null ? value : next(args, ++i, a));
        case "--quick" -> quick = true;
        case "--scale" -> scale = true;
        case "--progress" -> progress = true;
        case "--workflow" -> workflow = true;
        case "--push" -> push = true;
        case "--flow" -> flow = true;
        // --scale, --progress, --workflow, --push or --flow alone skip the comparison unless it is
        // asked for too.
        case "--compare" -> compare = true;
        case "-h", "--help" -> help = true;
        default ->
            throw new IllegalArgumentException("unknown option '" + args[i] + "' (see --help)");
      }
    }
    boolean onlyExtras =
        (scale || progress || workflow || push || flow)
            && !List.of(args).contains("--compare")
            && !List.of(args).contains("--quick");
    return new BenchOptions(
        jobs != null ? jobs : quick ? 2_000 : 20_000,
        threads != null ? threads : 16,
        repeat != null ? repeat : quick ? 1 : 3,
        systems,
        quick,
        scale,
        progress,
        workflow,
        push,
        flow,
        compare && !onlyExtras,
        help);
  }

  private static String next(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static int positive(String option, String value) {
    try {
      int n = Integer.parseInt(value.replace("_", "").replace(",", ""));
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " must be a positive whole number, got '" + value + "'");
    }
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
    Usage: bench/run [--jobs N] [--threads N] [--repeat N] [--systems offload,db-scheduler,jobrunr,raw-sql]
                     [--quick] [--scale] [--progress] [--workflow] [--push] [--flow]
                     [--compare]

    Runs Offload, db-scheduler, JobRunr and a raw-SQL floor against the same PostgreSQL, each in a
    fresh schema and its own JVM, plus Offload on SQLite, and prints one row per system (median of
    the repeats) with ratios against Offload. Writes offload-bench/target/results.json.

      --jobs N        no-op jobs per drain (default 20000; --quick 2000)
      --threads N     worker threads of every system (default 16)
      --repeat N      runs per system; figures are medians (default 3; --quick 1)
      --systems LIST  which PostgreSQL systems to run (default all four); Offload on SQLite runs
                      whenever offload is listed
      --quick         a smoke run of well under a minute, for CI
      --scale         Offload's drain rate with 10k, 100k and 1M jobs pending, and 10k with 1M
                      finished jobs in the table (long; results-scale.json). Alone, skips the comparison
      --progress      a job calling advance(1) ten million times against one that does not
                      (results-progress.json). Alone, skips the comparison
      --workflow      Offload enqueuing a workflow of 10,000 steps (one root, 9,998 steps after it,
                      one join after those) in one transaction on PostgreSQL; adds the row
                      "scenario": "workflow-10000-steps" to results.json. Alone, skips the comparison
      --push          push-1000: 1,000 jobs pushed to a local endpoint answering in 50 ms beside
                      1,000 pull jobs of 50 ms, one node, concurrency 100 (a push-1000 row in
                      results.json). Alone, skips the comparison
      --flow          flow control: 20,000 jobs over 1,000 keys with a per-key limit of 1, a
                      queue limit equal to --threads, a rate of 1,000/s, each against the same
                      run without limits, on PostgreSQL and on SQLite (rows with "scenario"
                      and "store" fields added to results.json; --quick: a tenth of the
                      jobs). Alone, skips the comparison
      --compare       run the comparison too when --scale, --progress, --workflow, --push or
                      --flow is given

    Environment:
      OFFLOAD_BENCH_PG_URL     default jdbc:postgresql://127.0.0.1:5432/test?user=postgres
      OFFLOAD_BENCH_JAVA_OPTS  JVM options of each system's JVM (default -Xms64m -Xmx512m)
    """;
  }
}
