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
    String head = "%-13s %-8s %13s %13s %9s %11s %10s %10s %10s%n";
    System.out.printf(
        head,
        "system",
        "store",
        "enqueue/s",
        "enqueue1/s",
        "enq1 p50",
        "drain/s",
        "lat p50",
        "lat p99",
        "heap MiB");
    System.out.printf(head, "", "", "(batch)", "(one-by-one)", "ms", "", "ms", "ms", "peak");
    for (Map<String, Object> r : rows) {
      System.out.printf(
          "%-13s %-8s %,13.0f %,13.0f %9.3f %,11.0f %10s %10s %10.0f%n",
          r.get("system"),
          r.get("store"),
          num(r.get("enqueuePerSec")),
          num(r.get("enqueueOnePerSec")),
          num(r.get("enqueueOneP50Ms")),
          num(r.get("drainPerSec")),
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
    System.out.printf("%-22s %10s %12s %14s%n", "", "drain", "enqueue", "enqueue 1-by-1");
    for (Map<String, Object> r : rows) {
      if (r == off) {
        continue;
      }
      System.out.printf(
          "%-22s %9.2f× %11.2f× %13.2f×%n",
          r.get("system") + "/" + r.get("store"),
          ratio(off, r, "drainPerSec"),
          ratio(off, r, "enqueuePerSec"),
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
    if (dbs != null) {
      check(
          "drain ≥ 5× db-scheduler",
          ratio(off, dbs, "drainPerSec") >= 5,
          "%.2f×".formatted(ratio(off, dbs, "drainPerSec")));
    }
    if (jr != null) {
      check(
          "drain ≥ 10× JobRunr",
          ratio(off, jr, "drainPerSec") >= 10,
          "%.2f×".formatted(ratio(off, jr, "drainPerSec")));
    }
    if (raw != null) {
      double pct = 100 / ratio(raw, off, "drainPerSec");
      check("drain ≥ 50% of the raw-SQL floor", pct >= 50, "%.0f%%".formatted(pct));
    }
    check(
        "batch enqueue ≥ 50,000/s",
        num(off.get("enqueuePerSec")) >= 50_000,
        "%,.0f/s".formatted(num(off.get("enqueuePerSec"))));
    check(
        "one-at-a-time enqueue p50 < 1 ms",
        num(off.get("enqueueOneP50Ms")) < 1,
        "%.3f ms".formatted(num(off.get("enqueueOneP50Ms"))));
    check(
        "idle latency p50 ≤ 5 ms (PostgreSQL)",
        num(off.get("latencyP50Ms")) <= 5,
        "%.2f ms".formatted(num(off.get("latencyP50Ms"))));
    check(
        "idle latency p99 ≤ 20 ms (PostgreSQL)",
        num(off.get("latencyP99Ms")) <= 20,
        "%.2f ms".formatted(num(off.get("latencyP99Ms"))));
    if (lite != null) {
      check(
          "idle latency p50 ≤ 5 ms (SQLite)",
          num(lite.get("latencyP50Ms")) <= 5,
          "%.2f ms".formatted(num(lite.get("latencyP50Ms"))));
      check(
          "SQLite drain ≥ 5,000/s",
          num(lite.get("drainPerSec")) >= 5_000,
          "%,.0f/s".formatted(num(lite.get("drainPerSec"))));
    }
    System.out.println("  (heap < 256 MiB draining 1M: see --scale, which runs with -Xmx256m)");
  }

  private static void check(String what, boolean met, String value) {
    System.out.printf("  %-7s %-40s %s%n", met ? "MET" : "NOT MET", what, value);
  }

  private static double ratio(Map<String, Object> a, Map<String, Object> b, String field) {
    return num(a.get(field)) / num(b.get(field));
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
