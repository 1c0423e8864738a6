package dev.offload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.offload.Job.FailedItems;
import dev.offload.Job.Progress;
import dev.offload.Job.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  @Test
  void percentIsDoneOverTotalWithoutStages() {
    ProgressTracker p = new ProgressTracker(0, null);
    p.total(200);
    p.advance(50);
    Progress snap = p.snapshot(SECOND, NOW);
    assertThat(snap.percent()).isEqualTo(25.0);
    assertThat(snap.done()).isEqualTo(50);
    assertThat(snap.total()).isEqualTo(200);
    assertThat(snap.stage()).isNull();
    assertThat(p.isDirty()).isFalse();
  }

  @Test
  void percentIsTheWeightedSumOfStages() {
    ProgressTracker p = new ProgressTracker(0, null);
    p.stages(List.of(Stage.of("fetch", 1), Stage.of("import", 4), Stage.of("verify", 1)), Map.of());
    p.stage("fetch", 10, 0);
    p.advance(10);
    p.stage("import", 100, SECOND);
    p.advance(50);
    Progress snap = p.snapshot(2 * SECOND, NOW);
    // fetch complete (1) + half of import (2) out of 6.
    assertThat(snap.percent()).isCloseTo(50.0, within(0.1));
    assertThat(snap.stage()).isEqualTo("import");
    assertThat(snap.stages())
        .extracting(Progress.StageProgress::percent)
        .containsExactly(100.0, 50.0, 0.0);
    assertThat(snap.stages().get(0).durationMs()).isEqualTo(1_000L);
    assertThat(snap.stages().get(1).durationMs()).isNull();
  }

  @Test
  void etaAddsHistoryForStagesNotStartedAndWeightsWithoutIt() {
    ProgressTracker p = new ProgressTracker(0, null);
    p.stages(
        List.of(Stage.of("import", 2), Stage.of("verify", 1), Stage.of("report", 1)),
        Map.of("verify", 30_000L));
    p.stage("import", 1_000, 0);
    long now = 0;
    for (int i = 1; i <= 40; i++) { // 10 s at 50 items/s: 500 done, 10 s left in import
      now += SECOND / 4;
      p.advance(12);
      if (i % 2 == 0) {
        p.advance(1);
      }
      p.sample(now);
    }
    Progress snap = p.snapshot(now, NOW);
    // import: ~10 s left; verify: 30 s from history; report: no history, half of import's ~20 s.
    assertThat(snap.eta()).isCloseTo(50.0, within(3.0));
  }

  /**
   * A sync that meets a rate limit: 2 s of work at 100 items/s, then a 3 s snooze, again and again.
   * Its real pace is 40 items/s. Measured within each attempt the ETA would say 100/s (the demo
   * showed "ETA 3s" with 15 s to go); carried across attempts it sees the snoozes.
   */
  @Test
  void aSnoozingJobsEtaCountsTheTimeBetweenItsAttempts() {
    long now = 0;
    long done = 0;
    ProgressTracker.Carry carry = null;
    Progress last = null;
    for (int attempt = 1; attempt <= 6; attempt++) {
      ProgressTracker p = new ProgressTracker(now, null, carry);
      p.stages(List.of(Stage.of("fetch", 1)), Map.of());
      p.stage("fetch", 10_000, now);
      p.done(done); // resumes from the checkpoint
      for (int tick = 0; tick < 8; tick++) { // 2 s at 100 items/s, sampled four times a second
        now += SECOND / 4;
        p.advance(25);
        done += 25;
        p.sample(now);
      }
      last = p.snapshot(now, NOW);
      carry = p.carry();
      now += 3 * SECOND; // snoozed
    }
    // 10,000 - 1,200 = 8,800 left at about 40/s: some 220 s. Within the attempt alone: 88 s.
    assertThat(last.eta()).isGreaterThan(150.0);

    ProgressTracker fresh = new ProgressTracker(now, null, carry);
    fresh.stages(List.of(Stage.of("fetch", 1), Stage.of("verify", 1)), Map.of());
    fresh.stage("verify", 10, now);
    fresh.done(5);
    fresh.sample(now + SECOND);
    assertThat(fresh.snapshot(now + SECOND, NOW).eta())
        .as("another stage starts afresh: nothing measured yet")
        .isNull();
  }

  @Test
  void anEstimateIsNotCarriedOverALongBackoff() {
    ProgressTracker first = new ProgressTracker(0, null);
    first.total(1_000);
    for (int i = 1; i <= 8; i++) {
      first.advance(25);
      first.sample(i * SECOND / 4);
    }
    long later = 2 * SECOND + 10 * 60 * SECOND; // retried after 10 minutes
    ProgressTracker second = new ProgressTracker(later, null, first.carry());
    second.total(1_000);
    second.done(200);
    second.sample(later + SECOND / 4);
    second.advance(25);
    second.sample(later + SECOND / 2);

    // 775 left at the 100/s this attempt measures, not a rate dragged to 0 by the 10 minutes.
    assertThat(second.snapshot(later + SECOND / 2, NOW).eta()).isCloseTo(7.75, within(0.5));
  }

  @Test
  void aStageResumedFromACheckpointDoesNotCountItsStartAsProgress() {
    ProgressTracker p = new ProgressTracker(0, null);
    p.stage("import", 10_000, 0);
    p.done(6_000); // resuming: 6,000 were done by an earlier attempt
    long now = 0;
    for (int i = 0; i < 40; i++) { // then 100 items/s for 10 s
      now += SECOND / 4;
      p.sample(now);
      p.advance(25);
    }
    p.sample(now + 1);
    // 3,000 left at 100/s: about 30 s, not the near-zero a 6,000-item jump would give.
    assertThat(p.snapshot(now + 1, NOW).eta()).isCloseTo(30.0, within(3.0));
    assertThat(p.snapshot(now + 1, NOW).percent()).isEqualTo(70.0);
  }

  @Test
  void noEtaBeforeAnythingIsDone() {
    ProgressTracker p = new ProgressTracker(0, null);
    p.total(100);
    p.sample(SECOND);
    assertThat(p.snapshot(SECOND, NOW).eta()).isNull();
  }

  @Test
  void stageChangeIsUrgentAndAdvanceOnlyDirty() {
    ProgressTracker p = new ProgressTracker(0, null);
    p.advance(1);
    assertThat(p.isDirty()).isTrue();
    assertThat(p.isUrgent()).isFalse();
    p.snapshot(0, NOW);
    p.stage("load", -1, 0);
    assertThat(p.isUrgent()).isTrue();
  }

  @Test
  void successIsAHundredPercent() {
    ProgressTracker p = new ProgressTracker(0, null);
    p.stages(List.of(Stage.of("a", 1), Stage.of("b", 1)), Map.of());
    p.stage("a", 10, 0);
    Progress last = p.finalSnapshot(SECOND, NOW, true);
    assertThat(last.percent()).isEqualTo(100.0);
    assertThat(last.eta()).isZero();
    assertThat(last.stages()).allSatisfy(s -> assertThat(s.durationMs()).isNotNull());
  }

  @Test
  void failedItemsKeepTheFirstThousandAndCountTheRest() {
    ProgressTracker p =
        new ProgressTracker(
            0,
            new FailedItems(
                2, List.of(new FailedItems.Item("a", "x"), new FailedItems.Item("b", "y"))));
    for (int i = 0; i < 1_500; i++) {
      p.itemFailed("order-" + i, "broken");
    }
    FailedItems f = p.failedItems();
    assertThat(f.count()).isEqualTo(1_502);
    assertThat(f.items()).hasSize(FailedItems.KEPT);
    assertThat(f.items().get(0).key()).isEqualTo("a");
    assertThat(f.omitted()).isEqualTo(502);
  }

  @Test
  void badInputIsRefusedWithTheValue() {
    ProgressTracker p = new ProgressTracker(0, null);
    assertThatThrownBy(() -> p.total(-1)).hasMessageContaining("-1");
    assertThatThrownBy(() -> p.stages(List.of(Stage.of("a", 1), Stage.of("a", 2)), Map.of()))
        .hasMessageContaining("distinct");
    assertThatThrownBy(() -> Stage.of("x", 0)).hasMessageContaining("weight of stage 'x'");
  }
}
