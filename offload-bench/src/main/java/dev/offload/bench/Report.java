package dev.offload.bench;

import static dev.offload.bench.Main.num;

import java.util.List;
import java.util.Map;

/** The comparison table, the ratios against Offload, and the DESIGN.md targets met or not. */
final class Report {
  private Report() {}

  static void print(List<Map<String, Object>> rows, BenchOptions options) {
    System.out.printf(
        "%nMedians of %d run(s); %,d jobs, %d threads.%n",
        options.repeat(), options.jobs(), options.threads());
    String head = "%-13s %-8s %13s %13s %9s %11s %11s %10s %10s %10s%n";
    System.out.printf(
        head,
        "system",
        "store",
        "enqueue/s",
        "enqueue1/s",
        "enq1 p50",
        "drain/s",
        "steady/s",
        "lat p50",
        "lat p99",
        "heap MiB");
    System.out.printf(
        head,
        "",
        "",
        "(batch,warm)",
        "(one-by-one)",
        "ms",
        "(whole)",
        "(mid 80%)",
        "ms",
        "ms",
        "peak");
    for (Map<String, Object> r : rows) {
      System.out.printf(
          "%-13s %-8s %,13.0f %,13.0f %9.3f %,11.0f %,11.0f %10s %10s %10.0f%n",
          r.get("system"),
          r.get("store"),
          num(r.get("enqueuePerSec")),
          num(r.get("enqueueOnePerSec")),
          num(r.get("enqueueOneP50Ms")),
          num(r.get("drainPerSec")),
          num(r.get("drainSteadyPerSec")),
          ms(r.get("latencyP50Ms")),
          ms(r.get("latencyP99Ms")),
          num(r.get("peakHeapMb")));
    }
    Map<String, Object> off = find(rows, "offload", "postgres");
    if (off == null) {
      return;
    }
    System.out.println(
        "\nRatios (Offload on PostgreSQL ÷ the row; above 1 means Offload is faster):");
    System.out.printf(
        "%-22s %10s %10s %12s %14s %14s%n",
        "", "drain", "steady", "enqueue", "enqueue cold", "enqueue 1-by-1");
    for (Map<String, Object> r : rows) {
      if (r == off) {
        continue;
      }
      System.out.printf(
          "%-22s %9.2f× %9.2f× %11.2f× %13.2f× %13.2f×%n",
          r.get("system") + "/" + r.get("store"),
          ratio(off, r, "drainPerSec"),
          ratio(off, r, "drainSteadyPerSec"),
          ratio(off, r, "enqueuePerSec"),
          ratio(off, r, "enqueueColdPerSec"),
          ratio(off, r, "enqueueOnePerSec"));
    }
    targets(rows, off);
  }

  private static void targets(List<Map<String, Object>> rows, Map<String, Object> off) {
    System.out.println("\nTargets (DESIGN.md):");
    Map<String, Object> dbs = find(rows, "db-scheduler", "postgres");
    Map<String, Object> jr = find(rows, "jobrunr", "postgres");
    Map<String, Object> raw = find(rows, "raw-sql", "postgres");
    Map<String, Object> lite = find(rows, "offload", "sqlite");
    checkRatio("drain ≥ 5× db-scheduler", off, dbs, 5);
    checkRatio("drain ≥ 10× JobRunr", off, jr, 10);
    if (raw != null) {
      double pct = 100 / ratio(raw, off, "drainPerSec");
      check("drain ≥ 67% of the raw-SQL floor (issue 17)", pct >= 67, "%.0f%%".formatted(pct));
      double steady = 100 / ratio(raw, off, "drainSteadyPerSec");
      check("steady drain ≥ 67% of the floor's", steady >= 67, "%.0f%%".formatted(steady));
      double batch = 100 / ratio(raw, off, "enqueuePerSec");
      double cold = 100 / ratio(raw, off, "enqueueColdPerSec");
      check(
          "batch enqueue ≥ 90% of the floor's (issue 17)",
          batch >= 90, "%.0f%% (first pass: %.0f%%)".formatted(batch, cold));
    }
    bound("batch enqueue ≥ 50,000/s", off, "enqueuePerSec", v -> v >= 50_000, "%,.0f/s");
    bound("one-at-a-time enqueue p50 < 1 ms", off, "enqueueOneP50Ms", v -> v < 1, "%.3f ms");
    bound("idle latency p50 ≤ 5 ms (PostgreSQL)", off, "latencyP50Ms", v -> v <= 5, "%.2f ms");
    bound("idle latency p99 ≤ 20 ms (PostgreSQL)", off, "latencyP99Ms", v -> v <= 20, "%.2f ms");
    if (dbs != null) {
      check(
          "idle p50 and p99 ≤ db-scheduler's (issue 17)",
          num(off.get("latencyP50Ms")) <= num(dbs.get("latencyP50Ms"))
              && num(off.get("latencyP99Ms")) <= num(dbs.get("latencyP99Ms")),
          "%s vs %s ms (cold: %s vs %s)"
              .formatted(
                  p50AndP99(off, "latency"),
                  p50AndP99(dbs, "latency"),
                  p50AndP99(off, "latencyCold"),
                  p50AndP99(dbs, "latencyCold")));
    }
    if (lite != null) {
      bound("idle latency p50 ≤ 5 ms (SQLite)", lite, "latencyP50Ms", v -> v <= 5, "%.2f ms");
      bound("SQLite drain ≥ 5,000/s", lite, "drainPerSec", v -> v >= 5_000, "%,.0f/s");
    }
    System.out.println("  (heap < 256 MiB draining 1M: see --scale, which runs with -Xmx256m)");
  }

  /** One figure of a row against its target, printed with {@code format}. */
  private static void bound(
      String what,
      Map<String, Object> row,
      String field,
      java.util.function.DoublePredicate met,
      String format) {
    double v = num(row.get(field));
    check(what, met.test(v), format.formatted(v));
  }

  /** Offload's drain against a peer's, when the peer ran. */
  private static void checkRatio(
      String what, Map<String, Object> off, Map<String, Object> peer, double atLeast) {
    if (peer != null) {
      double r = ratio(off, peer, "drainPerSec");
      check(what, r >= atLeast, "%.2f×".formatted(r));
    }
  }

  private static void check(String what, boolean met, String value) {
    System.out.printf("  %-7s %-46s %s%n", met ? "MET" : "NOT MET", what, value);
  }

  private static double ratio(Map<String, Object> a, Map<String, Object> b, String field) {
    return num(a.get(field)) / num(b.get(field));
  }

  /** A row's {@code <prefix>P50Ms} and {@code <prefix>P99Ms}, as "p50 / p99". */
  private static String p50AndP99(Map<String, Object> row, String prefix) {
    return ms(row.get(prefix + "P50Ms")) + " / " + ms(row.get(prefix + "P99Ms"));
  }

  private static String ms(Object o) {
    return o == null ? "n/a" : String.format("%.2f", num(o));
  }

  static Map<String, Object> find(List<Map<String, Object>> rows, String system, String store) {
    for (Map<String, Object> r : rows) {
      if (system.equals(r.get("system")) && store.equals(r.get("store"))) {
        return r;
      }
    }
    return null;
  }
}
