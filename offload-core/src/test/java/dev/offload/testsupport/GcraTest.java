package dev.offload.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.QueueOptions.Rate;
import dev.offload.store.Store.Gcra;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rate arithmetic on exact times: starts are spread evenly, and a pause builds no burst. */
class GcraTest {
  private static final long SECOND = 1_000_000;

  /**
   * Claims as often as {@code everyMicros} for {@code durationMicros}; returns each start's time.
   */
  private static List<Long> starts(Rate rate, long everyMicros, long durationMicros) {
    Long tat = null;
    List<Long> starts = new ArrayList<>();
    for (long now = 0; now < durationMicros; now += everyMicros) {
      long n = Gcra.allowed(tat, now, rate);
      for (int i = 0; i < n; i++) {
        starts.add(now);
      }
      if (n > 0) {
        tat = Math.max(tat == null ? now : tat, now) + n * Gcra.intervalMicros(rate);
      }
    }
    return starts;
  }

  private static int maxInAnyWindow(List<Long> starts, long window) {
    int max = 0;
    for (int i = 0; i < starts.size(); i++) {
      int in = 0;
      for (int j = i; j < starts.size() && starts.get(j) < starts.get(i) + window; j++) {
        in++;
      }
      max = Math.max(max, in);
    }
    return max;
  }

  @Test
  void twoPerSecondStartsEveryHalfSecondWithOneOfToleranceAtTheEdge() {
    Rate rate = Rate.perSecond(2);
    assertThat(Gcra.allowed(null, 0, rate)).isEqualTo(2);
    long tat = 2 * Gcra.intervalMicros(rate);
    assertThat(Gcra.allowed(tat, 499_999, rate)).isZero();
    assertThat(Gcra.allowed(tat, 500_000, rate)).isEqualTo(1);
  }

  @Test
  void anySlidingWindowHoldsAtMostTheRatePlusOneAndTheAverageMeetsIt() {
    Rate rate = Rate.perSecond(20);
    List<Long> starts = starts(rate, 7_000, 10 * SECOND);
    assertThat(maxInAnyWindow(starts, SECOND)).isLessThanOrEqualTo(21);
    assertThat(starts.size()).isBetween(190, 211);
  }

  @Test
  void aFastRateIsMetWithClaimsOfSeveralJobsAndStaysWithinItsTolerance() {
    Rate rate = Rate.perSecond(1_000);
    List<Long> starts = starts(rate, 10_000, 10 * SECOND);
    assertThat(starts.size()).isBetween(9_900, 10_100);
    assertThat(maxInAnyWindow(starts, SECOND)).isLessThanOrEqualTo(1_000 + 21);
  }

  @Test
  void aPauseBuildsNoBurst() {
    Rate rate = Rate.perMinute(600);
    long tat = 5 * Gcra.intervalMicros(rate);
    // An hour later: only the tolerance's worth, never the minute's 600.
    assertThat(Gcra.allowed(tat, 3_600 * SECOND, rate)).isEqualTo(2);
  }
}
