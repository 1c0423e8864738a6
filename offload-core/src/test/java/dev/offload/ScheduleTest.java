package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private static final ZoneId COPENHAGEN = ZoneId.of("Europe/Copenhagen");

  @Test
  void dailyAt0230FiresAt0300OnTheDayClocksSkipTheHour() {
    // 2026-03-29: Copenhagen jumps from 02:00 CET to 03:00 CEST (01:00Z).
    Schedule daily = Schedule.cron("30 2 * * *", COPENHAGEN);
    assertThat(daily.nextTimes(Instant.parse("2026-03-27T12:00:00Z"), 3))
        .containsExactly(
            Instant.parse("2026-03-28T01:30:00Z"), // 02:30 CET
            Instant.parse("2026-03-29T01:00:00Z"), // 02:30 does not exist: 03:00 CEST
            Instant.parse("2026-03-30T00:30:00Z")); // 02:30 CEST
  }

  @Test
  void dailyAt0230FiresOnceOnTheDayTheHourRepeats() {
    // 2026-10-25: Copenhagen goes from 03:00 CEST back to 02:00 CET; 02:30 happens twice.
    Schedule daily = Schedule.cron("30 2 * * *", COPENHAGEN);
    assertThat(daily.nextTimes(Instant.parse("2026-10-23T12:00:00Z"), 3))
        .containsExactly(
            Instant.parse("2026-10-24T00:30:00Z"),
            Instant.parse("2026-10-25T00:30:00Z"), // the first 02:30 only
            Instant.parse("2026-10-26T01:30:00Z"));
  }

  @Test
  void previousWalksBackOverTheSameTicksAsNext() {
    Schedule daily = Schedule.cron("30 2 * * *", COPENHAGEN);
    List<Instant> forward = daily.nextTimes(Instant.parse("2026-03-27T12:00:00Z"), 3);
    assertThat(daily.previous(forward.get(2))).isEqualTo(forward.get(2));
    assertThat(daily.previousBefore(forward.get(2))).isEqualTo(forward.get(1));
    assertThat(daily.previousBefore(forward.get(1))).isEqualTo(forward.get(0));
    // In the repeated hour, the second 02:30 is no tick: the latest one is still the first.
    Schedule fall = Schedule.cron("30 2 * * *", COPENHAGEN);
    assertThat(fall.previous(Instant.parse("2026-10-25T01:45:00Z")))
        .isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
  }

  @Test
  void hourlyTicksInTheSkippedHourCollapseIntoOne() {
    Schedule hourly = Schedule.cron("@hourly", COPENHAGEN);
    assertThat(hourly.nextTimes(Instant.parse("2026-03-28T23:30:00Z"), 3))
        .containsExactly(
            Instant.parse("2026-03-29T00:00:00Z"), // 01:00 CET
            Instant.parse("2026-03-29T01:00:00Z"), // 03:00 CEST (02:00 does not exist)
            Instant.parse("2026-03-29T02:00:00Z"));
  }

  @Test
  void sixFieldsStartWithSecondsAndMacrosExpand() {
    assertThat(Schedule.cron("*/10 * * * * *").next(Instant.parse("2026-01-01T00:00:01Z")))
        .isEqualTo(Instant.parse("2026-01-01T00:00:10Z"));
    assertThat(Schedule.cron("@monthly").next(Instant.parse("2026-01-15T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
    assertThat(Schedule.cron("0 6 1 * *", COPENHAGEN).next(Instant.parse("2026-01-15T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-02-01T05:00:00Z"));
  }

  @Test
  void intervalsCountFromTheEpochSoEveryNodeAgrees() {
    Schedule every = Schedule.every(Duration.ofMinutes(5));
    assertThat(every.next(Instant.parse("2026-01-01T00:03:00Z")))
        .isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
    assertThat(every.previous(Instant.parse("2026-01-01T00:05:00Z")))
        .isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
    assertThat(every.previousBefore(Instant.parse("2026-01-01T00:05:00Z")))
        .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThatThrownBy(() -> Schedule.every(Duration.ofMillis(500)))
        .hasMessageContaining("at least 1 second");
  }

  @Test
  void badCronNamesTheFieldAndItsAllowedRange() {
    assertThatThrownBy(() -> Schedule.cron("61 * * * *"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minute field '61'")
        .hasMessageContaining("minute allows 0-59");
    assertThatThrownBy(() -> Schedule.cron("0 25 * * *"))
        .hasMessageContaining("hour field '25'")
        .hasMessageContaining("0-23");
    assertThatThrownBy(() -> Schedule.cron("0 0 32 * *"))
        .hasMessageContaining("day-of-month field '32'")
        .hasMessageContaining("1-31");
    assertThatThrownBy(() -> Schedule.cron("0 0 1 13 *"))
        .hasMessageContaining("month field '13'")
        .hasMessageContaining("1-12");
    assertThatThrownBy(() -> Schedule.cron("0 0 * * 9"))
        .hasMessageContaining("day-of-week field '9'")
        .hasMessageContaining("0-7");
    assertThatThrownBy(() -> Schedule.cron("75 0 0 * * *"))
        .hasMessageContaining("second field '75'")
        .hasMessageContaining("0-59");
    assertThatThrownBy(() -> Schedule.cron("* * *"))
        .hasMessageContaining("has 3 fields; expected 5");
    assertThatThrownBy(() -> Schedule.cron("@sometimes")).hasMessageContaining("unknown macro");
  }
}
