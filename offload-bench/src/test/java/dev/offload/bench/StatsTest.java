package dev.offload.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void medianOfOddAndEvenCountsSkippingNulls() {
    assertThat(Stats.median(Arrays.asList(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Stats.median(Arrays.asList(4.0, 1.0, null, 2.0, 3.0))).isEqualTo(2.5);
    assertThat(Stats.median(Arrays.asList((Double) null))).isNull();
  }

  @Test
  void nearestRankPercentiles() {
    long[] v = new long[200];
    for (int i = 0; i < v.length; i++) {
      v[i] = 200 - i;
    }
    assertThat(Stats.percentile(v, 50)).isEqualTo(100);
    assertThat(Stats.percentile(v, 99)).isEqualTo(198);
    assertThat(Stats.percentile(new long[0], 50)).isNaN();
  }
}
