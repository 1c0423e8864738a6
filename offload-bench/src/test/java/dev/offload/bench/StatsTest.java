package dev.offload.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void medianOfOddAndEvenCountsSkippingNulls() {
    assertThat(Stats.median(Arrays.asList(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Stats.median(Arrays.asList(4.0, 1.0, null, 2.0, 3.0))).isEqualTo(2.5);
    assertThat(Stats.median(Arrays.asList((Double) null))).isNull();
    assertThat(Stats.min(Arrays.asList(4.0, null, 2.0))).isEqualTo(2.0);
    assertThat(Stats.max(Arrays.asList(4.0, null, 2.0))).isEqualTo(4.0);
  }

  @Test
  void putsTheMedianOfEachFieldOverRuns() {
    List<Map<String, Object>> runs =
        List.of(
            Map.of("drainPerSec", 10, "drainSecs", 3.0),
            Map.of("drainPerSec", 30.0),
            Map.of("drainPerSec", 20L, "drainSecs", 1.0));
    Map<String, Object> row = new LinkedHashMap<>();
    Stats.putMedians(row, runs, "drainPerSec", "drainSecs", "missing");
    assertThat(row).containsEntry("drainPerSec", 20.0).containsEntry("drainSecs", 2.0);
    assertThat(row.get("missing")).isNull();
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

  @Test
  void steadyRateLeavesOutTheRampAndTheTail() {
    // 1,000 jobs: the first 100 trickle in over 9 s (start-up), the middle 800 end one per ms,
    // the last 100 over another 9 s (the tail). Whole drain: 1,000 jobs in about 19 s.
    long[] t = new long[1_000];
    long now = 0;
    for (int i = 0; i < t.length; i++) {
      now += i < 100 || i >= 900 ? 90_000_000L : 1_000_000L;
      t[(i * 7919) % t.length] = now; // in no particular order
    }
    assertThat(Stats.steadyPerSec(t)).isCloseTo(1_000, within(5.0));
    assertThat(Stats.steadyPerSec(new long[5])).isNaN();
    assertThat(Stats.steadyPerSec(new long[20])).isNaN(); // all at once
  }

  @Test
  void withinMeasuresFromTheFirst() {
    assertThat(Stats.within(100, 119, 0.2)).isTrue();
    assertThat(Stats.within(100, 81, 0.2)).isTrue();
    assertThat(Stats.within(100, 121, 0.2)).isFalse();
    assertThat(Stats.within(100, 79, 0.2)).isFalse();
  }
}
