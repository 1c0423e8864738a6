package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class InstantsTest {
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  @Test
  void readsInstantsWithZOrAnOffset() {
    assertThat(Instants.parse("2026-12-01T09:00:00Z", PARIS))
        .isEqualTo(Instant.parse("2026-12-01T09:00:00Z"));
    assertThat(Instants.parse("2026-12-01T09:00:00+01:00", PARIS))
        .isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
  }

  @Test
  void readsLocalDateTimesAndDatesInTheGivenZone() {
    assertThat(Instants.parse("2026-12-01T09:00", PARIS))
        .isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
    assertThat(Instants.parse("2026-12-01 09:00:30", PARIS))
        .isEqualTo(Instant.parse("2026-12-01T08:00:30Z"));
    assertThat(Instants.parse("2026-12-01", PARIS))
        .isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));
  }

  @Test
  void rejectsOtherTextNamingIt() {
    assertThatThrownBy(() -> Instants.parse("tomorrow", PARIS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'tomorrow' is not a time (expected an ISO-8601 instant");
  }
}
