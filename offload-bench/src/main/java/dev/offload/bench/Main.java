package dev.offload.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code bench/run}: starts one JVM per system and repeat ({@link Child}), interleaving the systems
 * across repeats (every other repeat in reverse order) so background noise and what one system
 * leaves the server spread over all of them, then prints the medians, the ratios against Offload
 * and the targets, and writes {@code target/results.json}.
 */
public final class Main {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final String[] FIELDS = {
    "enqueuePerSec",
    "enqueueColdPerSec",
    "enqueueOnePerSec",
    "enqueueOneP50Ms",
    "enqueueOneP99Ms",
    "drainPerSec",
    "drainSteadyPerSec",
    "drainSecs",
    "latencyP50Ms",
    "latencyP99Ms",
    "latencyColdP50Ms",
    "latencyColdP99Ms",
    "peakHeapMb"
  };

  private final BenchOptions options;
  private final Path target;

  private Main(BenchOptions options, Path target) {
    this.options = options;
    this.target = target;
  }

  public static void main(String[] args) throws Exception {
    BenchOptions options = parseOrExit("bench", () -> BenchOptions.parse(args));
    if (options.help()) {
      System.out.print(BenchOptions.usage());
      return;
    }
    Path target = Path.of(System.getProperty("bench.target", "offload-bench/target"));
    Files.createDirectories(target.resolve("bench-logs"));
    new Main(options, target).run();
  }

  /** The parsed command line; on bad input the message and exit status 2. */
  static <T> T parseOrExit(String command, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      System.err.println(command + ": " + e.getMessage());
      System.exit(2);
      throw e; // not reached
    }
  }

  private void run() throws Exception {
    Map<String, Object> machine = Machine.describe();
    printMachine(machine);
    Files.writeString(target.resolve("machine.json"), JSON.writeValueAsString(machine));
    if (String.valueOf(machine.get("postgresql")).startsWith("unreachable")) {
      System.err.println(
          "bench: PostgreSQL " + machine.get("postgresql") + " (set OFFLOAD_BENCH_PG_URL)");
      System.exit(1);
    }
    if (options.compare()) {
      compare();
    }
    if (options.scale()) {
      Scale.run(this, options);
    }
    if (options.progress()) {
      Scale.progress(this, options);
    }
    if (options.workflow()) {
      WorkflowBench.run(this, options);
    }
    if (options.push()) {
      PushBench.run(this, options);
    }
    if (options.flow()) {
      FlowScenarios.run(this, options);
    }
    if (!options.nodes().isEmpty()) {
      Nodes.run(this, options);
    }
  }

  Path target() {
    return target;
  }

  private void compare() throws Exception {
    int singles = Math.min(options.jobs(), options.quick() ? 500 : 2_000);
    int probes = options.probes();
    long spacing = options.quick() ? 5 : 20;
    System.out.printf(
        "%nComparison: %,d no-op jobs, %d worker threads, %d repeat(s); one-at-a-time enqueue of %,d;"
            + " idle latency over %d jobs %d ms apart, after %,d unmeasured %d ms apart. Each system in its"
            + " own JVM (%s) and fresh schema;"
            + " a CHECKPOINT before each batch enqueue on PostgreSQL.%n",
        options.jobs(),
        options.threads(),
        options.repeat(),
        singles,
        probes,
        spacing,
        probes * Child.COLD_PROBES_PER_PROBE,
        Child.COLD_SPACING_MS,
        javaOpts("OFFLOAD_BENCH_JAVA_OPTS"));
    List<String[]> plan = new ArrayList<>();
    for (String system : options.systems()) {
      plan.add(new String[] {system, "postgres"});
      if (system.equals("offload")) {
        plan.add(new String[] {system, "sqlite"});
      }
    }
    Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
    for (int rep = 1; rep <= options.repeat(); rep++) {
      // Every other repeat in reverse, so no system always follows the same one (whose drain
      // leaves the server's buffers, WAL and checkpoint in a state of its own).
      for (String[] p : rep % 2 == 1 ? plan : plan.reversed()) {
        String key = p[0] + "/" + p[1];
        System.out.printf("  [%d/%d] %-22s ", rep, options.repeat(), key);
        System.out.flush();
        long t0 = System.nanoTime();
        Map<String, Object> r =
            child(
                key.replace('/', '-') + "-" + rep,
                javaOpts("OFFLOAD_BENCH_JAVA_OPTS"),
                "mode=compare",
                "system=" + p[0],
                "store=" + p[1],
                "jobs=" + options.jobs(),
                "threads=" + options.threads(),
                "singles=" + singles,
                "probes=" + probes,
                "spacingMs=" + spacing,
                "schema=" + schema(p[0]));
        System.out.printf(
            "%6.1f s  drain %,10.0f/s  enqueue %,9.0f/s%n",
            (System.nanoTime() - t0) / 1e9, num(r.get("drainPerSec")), num(r.get("enqueuePerSec")));
        runs.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (var e : runs.entrySet()) {
      rows.add(aggregate(e.getValue()));
    }
    Report.print(rows, options);
    Results.write(target, rows);
  }

  private static Map<String, Object> aggregate(List<Map<String, Object>> runs) {
    Map<String, Object> first = runs.get(0);
    Map<String, Object> row = new LinkedHashMap<>();
    for (String k : new String[] {"system", "store", "jobs", "threads"}) {
      row.put(k, first.get(k));
    }
    Stats.putMedians(row, runs, FIELDS);
    row.put("repeats", runs.size());
    row.put("settings", first.get("settings"));
    List<Map<String, Object>> each = new ArrayList<>();
    for (Map<String, Object> r : runs) {
      Map<String, Object> copy = new LinkedHashMap<>(r);
      copy.keySet().removeAll(List.of("system", "store", "jobs", "threads", "settings"));
      each.add(copy);
    }
    row.put("runs", each);
    return row;
  }

  static double num(Object o) {
    return o == null ? Double.NaN : ((Number) o).doubleValue();
  }

  static String schema(String system) {
    return "offload_bench_"
        + system.replace('-', '_')
        + "_"
        + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  }

  static String javaOpts(String env) {
    String v = System.getenv(env);
    return v == null || v.isBlank() ? "-Xms64m -Xmx512m" : v.trim();
  }

  /**
   * Runs {@link Child} in a new JVM and returns its result; its stderr goes to
   * target/bench-logs/NAME.log.
   */
  Map<String, Object> child(String name, String javaOpts, String... args) throws Exception {
    return ChildProcess.start(target, name, javaOpts, args).result();
  }

  private static void printMachine(Map<String, Object> m) {
    System.out.println(
        "Machine: "
            + m.get("cores")
            + " cores ("
            + m.get("cpu")
            + "), "
            + m.get("memory")
            + ", "
            + m.get("os"));
    System.out.println("JVM:     " + m.get("jvm"));
    System.out.println("Database: " + m.get("postgresql"));
    if (m.get("postgresqlSettings") instanceof Map<?, ?> s) {
      StringBuilder b = new StringBuilder("          ");
      s.forEach(
          (k, v) -> b.append(k).append('=').append(v.toString().isEmpty() ? "''" : v).append(' '));
      System.out.println(b.toString().stripTrailing());
    }
  }
}
