package dev.offload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The estimator on synthetic runs, sampled every 250 ms as the reporter does. */
class EtaEstimatorTest {
  private static final long TICK = 250_000_000L;

  @Test
  void steadyRateGivesTheTrueTimeLeft() {
    EtaEstimator eta = new EtaEstimator(0, 0);
    long now = 0;
    long done = 0;
    for (int i = 0; i < 40; i++) { // 10 s at 100 items/s
      now += TICK;
      done += 25;
      eta.sample(now, done);
    }
    // 1,000 done of 3,000 at 100/s: 20 s left.
    assertThat(eta.secondsLeft(done, 3_000)).isCloseTo(20.0, within(0.5));
  }

  @Test
  void rateThatChangesHalfWayIsFollowed() {
    EtaEstimator eta = new EtaEstimator(0, 0);
    long now = 0;
    long done = 0;
    for (int i = 0; i < 40; i++) { // 10 s at 100/s
      now += TICK;
      done += 25;
      eta.sample(now, done);
    }
    for (int i = 0; i < 80; i++) { // then 20 s at 400/s
      now += TICK;
      done += 100;
      eta.sample(now, done);
    }
    assertThat(eta.rate()).isCloseTo(400, within(20.0));
    long total = done + 4_000;
    assertThat(eta.secondsLeft(done, total)).isCloseTo(10.0, within(1.0));
  }

  @Test
  void stalledJobsEtaGrowsInsteadOfFreezing() {
    EtaEstimator eta = new EtaEstimator(0, 0);
    long now = 0;
    long done = 0;
    for (int i = 0; i < 40; i++) {
      now += TICK;
      done += 25;
      eta.sample(now, done);
    }
    Double before = eta.secondsLeft(done, 3_000);
    Double previous = before;
    for (int i = 0; i < 20; i++) { // 5 s with nothing done
      now += TICK;
      eta.sample(now, done);
      Double next = eta.secondsLeft(done, 3_000);
      assertThat(next).isGreaterThan(previous);
      previous = next;
    }
    assertThat(previous).isGreaterThan(before * 2);
  }

  @Test
  void noEstimateWithoutProgressOrTotal() {
    EtaEstimator eta = new EtaEstimator(0, 0);
    eta.sample(TICK, 0);
    assertThat(eta.secondsLeft(0, 100)).isNull();
    eta.sample(2 * TICK, 10);
    assertThat(eta.secondsLeft(10, -1)).isNull();
    assertThat(eta.secondsLeft(100, 100)).isZero();
  }

  @Test
  void anEndlessStallEndsInNoEstimateRatherThanAWildOne() {
    EtaEstimator eta = new EtaEstimator(0, 0);
    eta.sample(TICK, 1);
    eta.sample(TICK + 3_600_000_000_000L, 1); // an hour later, still 1
    assertThat(eta.secondsLeft(1, 1_000_000)).isNull();
  }
}
