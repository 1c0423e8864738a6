package dev.offload.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --flow}: what flow control costs (issue 13). Offload drains no-op jobs with a limit and
 * without, in JVMs of their own, alternating the two across repeats, on PostgreSQL and then on
 * SQLite:
 *
 * <ul>
 *   <li>{@code keys-1000-per-key-1}: 20,000 jobs over 1,000 concurrency keys with a per-key limit
 *       of 1, against the same jobs and keys without it (target: at least half its drain rate);
 *   <li>{@code max-running-16}: a queue limit equal to the thread count, against none (target: at
 *       most 10 % slower);
 *   <li>{@code rate-1000}: a rate of 1,000 starts a second; the rate of starts achieved from the
 *       first to the last (target: within 5 % of 1,000).
 * </ul>
 *
 * Each scenario and store becomes a row of {@code results.json} with {@code scenario} and {@code
 * store} fields ({@link Results}: rows of an earlier run with the same scenarios are replaced, the
 * others are kept).
 */
final class FlowScenarios {
  private FlowScenarios() {}

  private static final List<String> STORES = List.of("postgres", "sqlite");

  /** One child run's settings: jobs, keys, maxRunning, perKey, rate (0: none). */
  private record Setup(int jobs, int keys, int maxRunning, int perKey, int rate) {
    String describe() {
      List<String> parts = new ArrayList<>();
      if (keys > 0) {
        parts.add(keys + " keys");
      }
      if (maxRunning > 0) {
        parts.add("maxRunning " + maxRunning);
      }
      if (perKey > 0) {
        parts.add("perKey " + perKey);
      }
      if (rate > 0) {
        parts.add("rate " + rate + "/s");
      }
      return parts.isEmpty() ? "no limits" : String.join(", ", parts);
    }
  }

  static void run(Main main, BenchOptions options) throws Exception {
    int jobs = options.quick() ? options.jobs() / 10 : options.jobs();
    jobs = Math.max(jobs, 100);
    int keys = Math.min(1_000, jobs);
    int threads = options.threads();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String store : STORES) {
      rows.addAll(scenarios(main, options, store, jobs, keys, threads));
    }
    // Both stores' rows in one write: they replace every earlier row of these scenarios.
    Results.write(main.target(), rows);
  }

  private static List<Map<String, Object>> scenarios(
      Main main, BenchOptions options, String store, int jobs, int keys, int threads)
      throws Exception {
    Double load = loadAverage();
    System.out.printf(
        "%nFlow control: Offload on %s, %,d no-op jobs, %d threads, %d repeat(s);"
            + " load average %s at the start%n",
        store.equals("sqlite") ? "SQLite" : "PostgreSQL", jobs, threads, options.repeat(), load);
    List<Map<String, Object>> rows = new ArrayList<>();
    rows.add(
        compare(
            main,
            options,
            store,
            "keys-%d-per-key-1".formatted(keys),
            new Setup(jobs, keys, 0, 1, 0),
            new Setup(jobs, keys, 0, 0, 0),
            "drain with the per-key limit ≥ 50% of without",
            ratio -> ratio >= 0.5));
    rows.add(
        compare(
            main,
            options,
            store,
            "max-running-%d".formatted(threads),
            new Setup(jobs, 0, threads, 0, 0),
            new Setup(jobs, 0, 0, 0, 0),
            "drain with the queue limit ≥ 90% of without",
            ratio -> ratio >= 0.9));
    // Ten seconds at the full size; at least two with fewer jobs.
    int rateJobs = Math.max(2_000, Math.min(10_000, jobs / 2));
    rows.add(rate(main, options, store, new Setup(rateJobs, 0, 0, 0, 1_000)));
    for (Map<String, Object> row : rows) {
      row.put("loadAverage", load);
    }
    return rows;
  }

  private static Map<String, Object> compare(
      Main main,
      BenchOptions options,
      String store,
      String scenario,
      Setup limited,
      Setup baseline,
      String target,
      java.util.function.DoublePredicate met)
      throws Exception {
    List<Map<String, Object>> with = new ArrayList<>();
    List<Map<String, Object>> without = new ArrayList<>();
    for (int rep = 1; rep <= options.repeat(); rep++) {
      // Alternating, so background noise spreads over both.
      with.add(child(main, options, store, scenario, "limited", rep, limited));
      without.add(child(main, options, store, scenario, "baseline", rep, baseline));
    }
    double limitedRate = median(with, "drainPerSec");
    double baselineRate = median(without, "drainPerSec");
    double ratio = limitedRate / baselineRate;
    Map<String, Object> row = row(scenario, store, options, limited);
    row.put("drainPerSec", limitedRate);
    row.put("baselineDrainPerSec", baselineRate);
    row.put("baseline", baseline.describe());
    row.put("ratio", Child.round(ratio));
    row.put("target", target);
    row.put("met", met.test(ratio));
    row.put("runs", with);
    row.put("baselineRuns", without);
    System.out.printf(
        "  %-22s %,9.0f/s against %,9.0f/s without: %.2f×  %s (%s)%n",
        scenario, limitedRate, baselineRate, ratio, met.test(ratio) ? "MET" : "NOT MET", target);
    return row;
  }

  private static Map<String, Object> rate(
      Main main, BenchOptions options, String store, Setup setup) throws Exception {
    String scenario = "rate-" + setup.rate();
    List<Map<String, Object>> runs = new ArrayList<>();
    for (int rep = 1; rep <= options.repeat(); rep++) {
      runs.add(child(main, options, store, scenario, "limited", rep, setup));
    }
    double achieved = median(runs, "startsPerSec");
    double ratio = achieved / setup.rate();
    boolean met = Math.abs(ratio - 1) <= 0.05;
    Map<String, Object> row = row(scenario, store, options, setup);
    row.put("rate", setup.rate());
    row.put("startsPerSec", achieved);
    row.put("drainPerSec", median(runs, "drainPerSec"));
    row.put("ratio", Child.round(ratio));
    row.put("target", "starts within 5% of " + setup.rate() + "/s");
    row.put("met", met);
    row.put("runs", runs);
    System.out.printf(
        "  %-22s %,9.0f starts/s of %,d/s: %.3f×  %s%n",
        scenario, achieved, setup.rate(), ratio, met ? "MET" : "NOT MET");
    return row;
  }

  private static Map<String, Object> row(
      String scenario, String store, BenchOptions options, Setup setup) {
    Map<String, Object> row = Results.row(scenario, setup.jobs(), options.threads());
    row.put("store", store);
    row.put("limits", setup.describe());
    row.put("repeats", options.repeat());
    return row;
  }

  private static Map<String, Object> child(
      Main main,
      BenchOptions options,
      String store,
      String scenario,
      String variant,
      int rep,
      Setup s)
      throws Exception {
    return main.child(
        "flow-" + store + "-" + scenario + "-" + variant + "-" + rep,
        Main.javaOpts("OFFLOAD_BENCH_JAVA_OPTS"),
        "mode=flow",
        "store=" + store,
        "jobs=" + s.jobs(),
        "threads=" + options.threads(),
        "keys=" + s.keys(),
        "maxRunning=" + s.maxRunning(),
        "perKey=" + s.perKey(),
        "rate=" + s.rate(),
        "schema=" + Main.schema("flow"));
  }

  private static double median(List<Map<String, Object>> runs, String field) {
    Double m = Stats.median(Stats.values(runs, field));
    return m == null ? Double.NaN : m;
  }

  /** The one-minute load average (Linux), so a reader sees whether the machine was busy. */
  static Double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (Exception e) {
      return null; // not Linux
    }
  }
}
