package dev.offload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class YieldMarginTest {
  @Test
  void aShortAttemptYieldsInItsLastFifth() {
    assertThat(Execution.yieldMargin(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(1));
    assertThat(Execution.yieldMargin(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(12));
  }

  @Test
  void aLongAttemptYieldsAtMostThirtySecondsBeforeItsDeadline() {
    assertThat(Execution.yieldMargin(Duration.ofMinutes(15))).isEqualTo(Duration.ofSeconds(30));
  }
}
