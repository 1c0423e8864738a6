package dev.offload.bench;

import static dev.offload.bench.Main.num;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --scale}: Offload on PostgreSQL draining 100k jobs on an empty table ({@code empty-100k}),
 * with 1M finished rows beside them ({@code finished-1m}), and the first 100k of 1M pending jobs
 * ({@code pending-1m}, analysed after the enqueue as autovacuum would a minute after a bulk load);
 * then the same 1M-pending table never analysed ({@code pending-1m-unanalysed}, at most a minute)
 * against {@code pending-1m-analysed} (the {@code pending-1m} runs). Each JVM runs with {@code
 * -Xmx256m} (override with OFFLOAD_BENCH_SCALE_JAVA_OPTS), so finishing at all checks the heap
 * target. Rows go into results.json with their {@code scenario}. {@code --progress}: a job calling
 * {@code advance(1)} ten million times against one that does not.
 */
final class Scale {
  /** One case: the table's pending and finished rows, how many jobs are timed, for how long. */
  record Case(
      String scenario, int pending, long finished, int measure, boolean analyze, int maxSecs) {}

  private Scale() {}

  /** The cases; {@code --quick} shrinks each fifty-fold. */
  static List<Case> cases(boolean quick) {
    int k = quick ? 50 : 1;
    int hundredK = 100_000 / k;
    int million = 1_000_000 / k;
    return List.of(
        new Case("empty-100k", hundredK, 0, hundredK, true, 1_800),
        new Case("finished-1m", hundredK, million, hundredK, true, 1_800),
        new Case("pending-1m", million, 0, hundredK, true, 1_800),
        new Case("pending-1m-unanalysed", million, 0, hundredK, false, quick ? 30 : 60));
  }

  static void run(Main main, BenchOptions options) throws Exception {
    String opts = System.getenv("OFFLOAD_BENCH_SCALE_JAVA_OPTS");
    opts = opts == null || opts.isBlank() ? "-Xms64m -Xmx256m" : opts.trim();
    List<Case> cases = cases(options.quick());
    System.out.printf(
        "%nScale series: Offload on PostgreSQL, %d threads, %d repeat(s), JVM %s%n",
        options.threads(), options.repeat(), opts);
    Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
    for (int rep = 1; rep <= options.repeat(); rep++) {
      for (Case c : cases) {
        System.out.printf(
            "  [%d/%d] %-22s pending %,9d finished %,9d ",
            rep, options.repeat(), c.scenario(), c.pending(), c.finished());
        System.out.flush();
        Map<String, Object> r =
            main.child(
                "scale-" + c.scenario() + "-" + rep,
                opts,
                "mode=scale",
                "pending=" + c.pending(),
                "finished=" + c.finished(),
                "measure=" + c.measure(),
                "maxSecs=" + c.maxSecs(),
                "analyze=" + c.analyze(),
                "threads=" + options.threads(),
                "schema=" + Main.schema("scale"));
        System.out.printf(
            "drain %,8.0f/s (%,d jobs timed)  steady %,8.0f/s  heap %4.0f MiB%n",
            num(r.get("drainPerSec")),
            ((Number) r.get("measuredJobs")).longValue(),
            num(r.get("drainSteadyPerSec")),
            num(r.get("peakHeapMb")));
        runs.computeIfAbsent(c.scenario(), x -> new ArrayList<>()).add(r);
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Case c : cases) {
      rows.add(row(c.scenario(), c, options, runs.get(c.scenario())));
    }
    // The analysed half of the pair is the pending-1m case itself.
    Map<String, Object> analysed =
        row("pending-1m-analysed", cases.get(2), options, runs.get("pending-1m"));
    analysed.put("sameRunsAs", "pending-1m");
    rows.add(analysed);
    print(rows, options);
    Results.write(main.target(), rows);
  }

  private static Map<String, Object> row(
      String scenario, Case c, BenchOptions options, List<Map<String, Object>> runs) {
    Map<String, Object> row = Results.row(scenario, c.measure(), options.threads());
    row.put("pending", c.pending());
    row.put("finished", c.finished());
    row.put("analyzedBeforeDrain", c.analyze());
    Stats.putMedians(
        row,
        runs,
        "drainPerSec",
        "drainSteadyPerSec",
        "drainSecs",
        "enqueuePerSec",
        "peakHeapMb",
        "peakAfterGcMb");
    row.put("drainMinPerSec", Stats.min(Stats.values(runs, "drainPerSec")));
    row.put("drainMaxPerSec", Stats.max(Stats.values(runs, "drainPerSec")));
    row.put("maxHeapMb", runs.get(0).get("maxHeap"));
    row.put("repeats", runs.size());
    row.put("runs", runs);
    return row;
  }

  private static void print(List<Map<String, Object>> rows, BenchOptions options) {
    double base = num(rows.get(0).get("drainPerSec"));
    System.out.printf(
        "%nMedians of %d run(s).%n%-22s %10s %10s %10s %19s %9s %12s %9s%n",
        options.repeat(),
        "scenario",
        "pending",
        "finished",
        "drain/s",
        "spread (min–max)",
        "÷ first",
        "steady/s",
        "heap MiB");
    for (Map<String, Object> r : rows) {
      System.out.printf(
          "%-22s %,10d %,10d %,10.0f %,9.0f–%,-9.0f %8.2f× %,12.0f %9.0f%n",
          r.get("scenario"),
          ((Number) r.get("pending")).longValue(),
          ((Number) r.get("finished")).longValue(),
          num(r.get("drainPerSec")),
          num(r.get("drainMinPerSec")),
          num(r.get("drainMaxPerSec")),
          num(r.get("drainPerSec")) / base,
          num(r.get("drainSteadyPerSec")),
          num(r.get("peakHeapMb")));
    }
    System.out.println("\nTargets (issue 17):");
    target(
        "drain with %,d finished rows ≥ 80%% of the empty table"
            .formatted(rows.get(1).get("finished")),
        rows.get(1),
        base,
        0.8);
    target(
        "drain of %,d of %,d pending ≥ 80%% of the empty table"
            .formatted(rows.get(2).get("jobs"), rows.get(2).get("pending")),
        rows.get(2),
        base,
        0.8);
    target(
        "never-analysed table ≥ 70% of the same after ANALYZE",
        rows.get(3), num(rows.get(2).get("drainPerSec")), 0.7);
    double heap = num(rows.get(2).get("peakHeapMb"));
    System.out.printf(
        "  %-7s %-58s %.0f MiB peak in use (-Xmx %s MiB)%n",
        heap < 256 ? "MET" : "NOT MET",
        "heap < 256 MiB with %,d pending".formatted(rows.get(2).get("pending")),
        heap,
        rows.get(2).get("maxHeapMb"));
  }

  private static void target(String what, Map<String, Object> row, double base, double atLeast) {
    double ratio = num(row.get("drainPerSec")) / base;
    System.out.printf("  %-7s %-58s %.2f×%n", ratio >= atLeast ? "MET" : "NOT MET", what, ratio);
  }

  static void progress(Main main, BenchOptions options) throws Exception {
    long n = options.quick() ? 1_000_000 : 10_000_000;
    System.out.printf(
        "%nProgress overhead: Offload on PostgreSQL, a job of %,d steps calling advance(1) each,"
            + " against the same loop without; %d repeat(s)%n",
        n, options.repeat());
    List<Map<String, Object>> runs = new ArrayList<>();
    for (int rep = 1; rep <= options.repeat(); rep++) {
      Map<String, Object> r =
          main.child(
              "progress-" + rep,
              Main.javaOpts("OFFLOAD_BENCH_JAVA_OPTS"),
              "mode=progress",
              "n=" + n,
              "schema=" + Main.schema("progress"));
      System.out.printf(
          "  [%d/%d] plain loop %8.1f ms, with advance %8.1f ms, %.2f ns per advance;"
              + " end to end %.0f / %.0f ms%n",
          rep,
          options.repeat(),
          num(r.get("plainLoopMs")),
          num(r.get("advanceLoopMs")),
          num(r.get("nsPerAdvance")),
          num(r.get("plainEndToEndMs")),
          num(r.get("advanceEndToEndMs")));
      runs.add(r);
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("steps", n);
    Stats.putMedians(
        row,
        runs,
        "plainLoopMs",
        "advanceLoopMs",
        "nsPerAdvance",
        "plainEndToEndMs",
        "advanceEndToEndMs");
    row.put("runs", runs);
    System.out.printf(
        "  median: plain %.1f ms, with advance %.1f ms, %.2f ns per advance(1)%n",
        num(row.get("plainLoopMs")), num(row.get("advanceLoopMs")), num(row.get("nsPerAdvance")));
    Files.writeString(
        main.target().resolve("results-progress.json"), Main.JSON.writeValueAsString(List.of(row)));
  }
}
