package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.JobOptions.RetryPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The default schedule documented in README: 1 s doubling, capped at 1 h, ±20 % jitter. */
class RetryPolicyTest {
  @Test
  void defaultScheduleDoublesFromOneSecondUpToAnHour() {
    RetryPolicy policy = RetryPolicy.exponential();
    long[] expectedSeconds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600};
    for (int attempt = 1; attempt <= expectedSeconds.length; attempt++) {
      for (int sample = 0; sample < 50; sample++) {
        long millis = policy.delay(attempt).toMillis();
        long nominal = expectedSeconds[attempt - 1] * 1000;
        assertThat(millis)
            .as("attempt %d", attempt)
            .isBetween((long) (nominal * 0.8), (long) (nominal * 1.2));
      }
    }
  }

  @Test
  void jitterSpreadsRetries() {
    RetryPolicy policy = RetryPolicy.exponential();
    assertThat(
            java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> policy.delay(5))
                .distinct()
                .count())
        .isGreaterThan(5);
  }

  @Test
  void fixedNoneAndCustom() {
    assertThat(RetryPolicy.fixed(Duration.ofSeconds(3)).delay(9)).isEqualTo(Duration.ofSeconds(3));
    assertThat(RetryPolicy.none().delay(1)).isNull();
    RetryPolicy custom = attempt -> Duration.ofMinutes(attempt);
    assertThat(custom.delay(4)).isEqualTo(Duration.ofMinutes(4));
  }

  @Test
  void badSettingsNameTheField() {
    assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ZERO, 2, Duration.ofHours(1), 0.1))
        .hasMessageContaining("base");
    assertThatThrownBy(
            () -> RetryPolicy.exponential(Duration.ofSeconds(1), 0.5, Duration.ofHours(1), 0.1))
        .hasMessageContaining("factor");
    assertThatThrownBy(
            () -> RetryPolicy.exponential(Duration.ofSeconds(10), 2, Duration.ofSeconds(1), 0.1))
        .hasMessageContaining("cap");
    assertThatThrownBy(
            () -> RetryPolicy.exponential(Duration.ofSeconds(1), 2, Duration.ofHours(1), 1.5))
        .hasMessageContaining("jitter");
    assertThatThrownBy(() -> JobOptions.defaults().priority(10)).hasMessageContaining("priority");
    assertThatThrownBy(() -> JobOptions.defaults().maxAttempts(0))
        .hasMessageContaining("maxAttempts");
  }
}
