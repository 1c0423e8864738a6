package dev.offload.bench;

import static dev.offload.bench.Main.num;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --scale}: Offload on PostgreSQL draining 10k, 100k and 1M pending jobs, and a drain of 10k
 * jobs with 1M finished jobs already in the table; each JVM runs with {@code -Xmx256m} (override
 * with OFFLOAD_BENCH_SCALE_JAVA_OPTS), so finishing at all checks the heap target. {@code
 * --progress}: a job calling {@code advance(1)} ten million times against one that does not.
 */
final class Scale {
  private Scale() {}

  static void run(Main main, BenchOptions options) throws Exception {
    String opts = System.getenv("OFFLOAD_BENCH_SCALE_JAVA_OPTS");
    opts = opts == null || opts.isBlank() ? "-Xms64m -Xmx256m" : opts.trim();
    long million = options.quick() ? 20_000 : 1_000_000;
    // The finished-rows case drains as many jobs as the baseline (first) case, so the two compare
    // like with like: a drain's rate depends on its size (JIT warm-up, the claim-ahead ramp).
    long[][] cases =
        options.quick()
            ? new long[][] {{1_000, 0}, {10_000, 0}, {20_000, 0}, {1_000, million}}
            : new long[][] {{10_000, 0}, {100_000, 0}, {1_000_000, 0}, {10_000, million}};
    System.out.printf(
        "%nScale series: Offload on PostgreSQL, %d threads, %d repeat(s), JVM %s; ANALYZE after the"
            + " enqueue: %s (OFFLOAD_BENCH_SCALE_ANALYZE)%n",
        options.threads(),
        options.repeat(),
        opts,
        !"false".equals(System.getenv("OFFLOAD_BENCH_SCALE_ANALYZE")));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long[] c : cases) {
      List<Map<String, Object>> runs = new ArrayList<>();
      for (int rep = 1; rep <= options.repeat(); rep++) {
        System.out.printf(
            "  pending %,9d finished %,9d  [%d/%d] ", c[0], c[1], rep, options.repeat());
        System.out.flush();
        Map<String, Object> r =
            main.child(
                "scale-" + c[0] + "-" + c[1] + "-" + rep,
                opts,
                "mode=scale",
                "pending=" + c[0],
                "finished=" + c[1],
                "threads=" + options.threads(),
                "schema=" + Main.schema("scale"),
                "analyze=" + !"false".equals(System.getenv("OFFLOAD_BENCH_SCALE_ANALYZE")));
        System.out.printf(
            "drain %,8.0f/s  enqueue %,8.0f/s  heap %4.0f MiB (after GC %4.0f)%n",
            num(r.get("drainPerSec")),
            num(r.get("enqueuePerSec")),
            num(r.get("peakHeapMb")),
            num(r.get("peakAfterGcMb")));
        runs.add(r);
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("pending", c[0]);
      row.put("finished", c[1]);
      for (String f :
          new String[] {
            "drainPerSec", "enqueuePerSec", "peakHeapMb", "peakAfterGcMb", "drainSecs"
          }) {
        row.put(f, Stats.median(runs.stream().map(r -> num(r.get(f))).toList()));
      }
      row.put("maxHeapMb", runs.get(0).get("maxHeap"));
      row.put("runs", runs);
      rows.add(row);
    }
    double base = num(rows.get(0).get("drainPerSec"));
    System.out.printf(
        "%nMedians of %d run(s).%n%-10s %-10s %12s %10s %12s %14s %14s %10s%n",
        options.repeat(),
        "pending",
        "finished",
        "drain/s",
        "÷ first",
        "enqueue/s",
        "peak heap MiB",
        "after GC MiB",
        "-Xmx MiB");
    for (Map<String, Object> r : rows) {
      System.out.printf(
          "%,10d %,10d %,12.0f %9.2f× %,12.0f %14.0f %14.0f %10s%n",
          r.get("pending"),
          r.get("finished"),
          num(r.get("drainPerSec")),
          num(r.get("drainPerSec")) / base,
          num(r.get("enqueuePerSec")),
          num(r.get("peakHeapMb")),
          num(r.get("peakAfterGcMb")),
          r.get("maxHeapMb"));
    }
    // DESIGN.md: flat with size (the largest pending case and the finished-rows case within 20% of
    // the first), and the heap under 256 MiB while draining the largest case.
    Map<String, Object> big = rows.get(cases.length - 2);
    Map<String, Object> fin = rows.get(cases.length - 1);
    double bigRatio = num(big.get("drainPerSec")) / base;
    double finRatio = num(fin.get("drainPerSec")) / base;
    System.out.println("\nTargets (DESIGN.md):");
    System.out.printf(
        "  %-7s %-52s %.2f×%n",
        bigRatio >= 0.8 ? "MET" : "NOT MET",
        "drain with %,d pending ≥ 80%% of %,d pending"
            .formatted(big.get("pending"), rows.get(0).get("pending")),
        bigRatio);
    System.out.printf(
        "  %-7s %-52s %.2f×%n",
        finRatio >= 0.8 ? "MET" : "NOT MET",
        "drain with %,d finished ≥ 80%% of none".formatted(fin.get("finished")),
        finRatio);
    double bigHeap =
        big.get("runs") instanceof List<?> l
            ? l.stream()
                .mapToDouble(x -> num(((Map<?, ?>) x).get("peakHeapMb")))
                .max()
                .orElse(Double.NaN)
            : Double.NaN;
    System.out.printf(
        "  %-7s %-52s %.0f MiB peak in use (of -Xmx %s MiB; finishing at all proves it fits)%n",
        bigHeap < 256 ? "MET" : "NOT MET",
        "heap < 256 MiB draining %,d".formatted(big.get("pending")),
        bigHeap,
        big.get("maxHeapMb"));
    Files.writeString(
        main.target().resolve("results-scale.json"), Main.JSON.writeValueAsString(rows));
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
    for (String f :
        new String[] {
          "plainLoopMs", "advanceLoopMs", "nsPerAdvance", "plainEndToEndMs", "advanceEndToEndMs"
        }) {
      row.put(f, Stats.median(runs.stream().map(r -> num(r.get(f))).toList()));
    }
    row.put("runs", runs);
    System.out.printf(
        "  median: plain %.1f ms, with advance %.1f ms, %.2f ns per advance(1)%n",
        num(row.get("plainLoopMs")), num(row.get("advanceLoopMs")), num(row.get("nsPerAdvance")));
    Files.writeString(
        main.target().resolve("results-progress.json"), Main.JSON.writeValueAsString(List.of(row)));
  }
}
