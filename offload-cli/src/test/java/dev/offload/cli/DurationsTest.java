package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @Test
  void readsEachUnit() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("0s")).isZero();
  }

  @Test
  void readsCombinationsAndIgnoresCaseAndSurroundingSpace() {
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1m500ms")).isEqualTo(Duration.ofMillis(60_500));
    assertThat(Durations.parse(" 30S ")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void readsIso8601() {
    assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("pt1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("P1D")).isEqualTo(Duration.ofDays(1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "  ", "30", "s", "30 s", "30sec", "1.5s", "-5s", "5x", "1h 30m", "PT", "P1Y", "ms500",
        "30s!"
      })
  void rejectsWhatIsNotADurationNamingTheTextAndTheForms(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "' is not a duration")
        .hasMessageContaining("500ms, 30s, 5m, 2h, 1d");
  }

  @Test
  void rejectsNegativeIsoDurations() {
    assertThatThrownBy(() -> Durations.parse("PT-5S"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'PT-5S' is negative; a duration must be 0 or more");
  }

  @Test
  void rejectsNumbersOfMoreThanTwelveDigits() {
    assertThatThrownBy(() -> Durations.parse("9999999999999s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a duration");
  }
}
