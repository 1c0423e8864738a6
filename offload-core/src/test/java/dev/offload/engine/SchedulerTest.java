package dev.offload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Schedule;
import dev.offload.Schedule.CatchUp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which ticks are due, by catch-up policy; the store-level behaviour is in ScheduleContract. */
class SchedulerTest {
  private static final Schedule HOURLY = Schedule.cron("0 * * * *");
  private static final Instant LAST = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void nothingIsDueBeforeTheNextTick() {
    Scheduler.Due due =
        Scheduler.due(HOURLY, CatchUp.LATEST, LAST, Instant.parse("2026-01-01T00:59:59Z"));
    assertThat(due.latest()).isNull();
    assertThat(due.ticks()).isEmpty();
  }

  @Test
  void aTickLessThanTheGraceLateFiresUnderEveryPolicy() {
    Instant now = Instant.parse("2026-01-01T01:00:30Z");
    for (CatchUp policy : CatchUp.values()) {
      Scheduler.Due due = Scheduler.due(HOURLY, policy, LAST, now);
      assertThat(due.ticks())
          .as(policy.toString())
          .containsExactly(Instant.parse("2026-01-01T01:00:00Z"));
      assertThat(due.missedAny()).isFalse();
    }
  }

  @Test
  void latestEnqueuesOneJobForTheLatestMissedTick() {
    Scheduler.Due due =
        Scheduler.due(HOURLY, CatchUp.LATEST, LAST, Instant.parse("2026-01-01T05:30:00Z"));
    assertThat(due.ticks()).containsExactly(Instant.parse("2026-01-01T05:00:00Z"));
    assertThat(due.latest()).isEqualTo(Instant.parse("2026-01-01T05:00:00Z"));
  }

  @Test
  void noneSkipsMissedTicksButMovesTheLastTick() {
    Scheduler.Due due =
        Scheduler.due(HOURLY, CatchUp.NONE, LAST, Instant.parse("2026-01-01T05:30:00Z"));
    assertThat(due.ticks()).isEmpty();
    assertThat(due.latest()).isEqualTo(Instant.parse("2026-01-01T05:00:00Z"));
    assertThat(due.missedAny()).isTrue();
  }

  @Test
  void allEnqueuesEachMissedTickOldestFirst() {
    Scheduler.Due due =
        Scheduler.due(HOURLY, CatchUp.ALL, LAST, Instant.parse("2026-01-01T03:30:00Z"));
    assertThat(due.ticks())
        .containsExactly(
            Instant.parse("2026-01-01T01:00:00Z"),
            Instant.parse("2026-01-01T02:00:00Z"),
            Instant.parse("2026-01-01T03:00:00Z"));
    assertThat(due.dropped()).isZero();
  }

  @Test
  void allKeepsTheLatestHundredMissedTicksAndCountsTheDropped() {
    // 250 missed hourly ticks.
    Scheduler.Due due =
        Scheduler.due(
            HOURLY, CatchUp.ALL, LAST, LAST.plus(Duration.ofHours(250)).plusSeconds(1800));
    assertThat(due.ticks()).hasSize(CatchUp.MAX_MISSED);
    assertThat(due.ticks().get(CatchUp.MAX_MISSED - 1)).isEqualTo(LAST.plus(Duration.ofHours(250)));
    assertThat(due.ticks().get(0)).isEqualTo(LAST.plus(Duration.ofHours(151)));
    assertThat(due.dropped()).isEqualTo(150);
  }

  @Test
  void everyOnTimeTickOfAFastScheduleFiresEvenWhenAPassComesLate() {
    Schedule everySecond = Schedule.every(Duration.ofSeconds(1));
    Scheduler.Due due = Scheduler.due(everySecond, CatchUp.LATEST, LAST, LAST.plusMillis(3_500));
    assertThat(due.ticks())
        .containsExactly(LAST.plusSeconds(1), LAST.plusSeconds(2), LAST.plusSeconds(3));
  }
}
