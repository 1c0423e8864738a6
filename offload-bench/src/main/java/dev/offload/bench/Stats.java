package dev.offload.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Medians, percentiles (nearest rank) and steady rates of the figures a run collects. */
final class Stats {
  /** The share of a drain's jobs, by completion time, that its steady rate is taken over. */
  static final double STEADY_SHARE = 0.8;

  private Stats() {}

  /** The median of the non-null values, or null when there are none. */
  static Double median(List<Double> values) {
    double[] v = present(values);
    if (v.length == 0) {
      return null;
    }
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** The smallest non-null value, or null. */
  static Double min(List<Double> values) {
    double[] v = present(values);
    return v.length == 0 ? null : v[0];
  }

  /** The largest non-null value, or null. */
  static Double max(List<Double> values) {
    double[] v = present(values);
    return v.length == 0 ? null : v[v.length - 1];
  }

  private static double[] present(List<Double> values) {
    double[] v =
        values.stream()
            .filter(x -> x != null && !x.isNaN())
            .mapToDouble(Double::doubleValue)
            .toArray();
    Arrays.sort(v);
    return v;
  }

  /** The values of {@code field} in each run, as doubles (null where a run has none). */
  static List<Double> values(List<Map<String, Object>> runs, String field) {
    List<Double> out = new ArrayList<>();
    for (Map<String, Object> r : runs) {
      out.add(r.get(field) == null ? null : Main.num(r.get(field)));
    }
    return out;
  }

  /** Puts the median over {@code runs} of each of {@code fields} into {@code row}. */
  static void putMedians(
      Map<String, Object> row, List<Map<String, Object>> runs, String... fields) {
    for (String f : fields) {
      row.put(f, median(values(runs, f)));
    }
  }

  /** The nearest-rank percentile {@code p} (0 to 100) of {@code values}; NaN when empty. */
  static double percentile(long[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    long[] v = values.clone();
    Arrays.sort(v);
    return sortedPercentile(v, p);
  }

  private static double sortedPercentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /**
   * Jobs per second over the middle {@value #STEADY_SHARE} of {@code times} (when each job ended,
   * in nanoseconds on any one clock, in any order): the jobs between the 10th and the 90th
   * percentile divided by the time between them, so neither the start-up ramp nor the tail of the
   * drain counts. NaN for fewer than 10 jobs or when they all ended at once.
   */
  static double steadyPerSec(long[] times) {
    if (times.length < 10) {
      return Double.NaN;
    }
    long[] v = times.clone();
    Arrays.sort(v);
    double edge = (1 - STEADY_SHARE) / 2 * 100;
    double from = sortedPercentile(v, edge);
    double to = sortedPercentile(v, 100 - edge);
    if (to <= from) {
      return Double.NaN;
    }
    return STEADY_SHARE * v.length / ((to - from) / 1e9);
  }

  /**
   * Whether {@code b} is within {@code share} (0.2 for 20 %) of {@code a}, measured from {@code a}.
   */
  static boolean within(double a, double b, double share) {
    return Math.abs(b - a) <= share * Math.abs(a);
  }
}
