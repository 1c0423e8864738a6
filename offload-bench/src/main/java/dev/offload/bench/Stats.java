package dev.offload.bench;

import java.util.Arrays;
import java.util.List;

/** Medians and percentiles (nearest rank) of the figures a run collects. */
final class Stats {
  private Stats() {}

  /** The median of the non-null values, or null when there are none. */
  static Double median(List<Double> values) {
    double[] v =
        values.stream()
            .filter(x -> x != null && !x.isNaN())
            .mapToDouble(Double::doubleValue)
            .toArray();
    if (v.length == 0) {
      return null;
    }
    Arrays.sort(v);
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** The nearest-rank percentile {@code p} (0 to 100) of {@code values}; NaN when empty. */
  static double percentile(long[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    long[] v = values.clone();
    Arrays.sort(v);
    int rank = (int) Math.ceil(p / 100.0 * v.length);
    return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
  }
}
