package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import dev.offload.Workflow.OnFailure;
import dev.offload.Workflow.WorkflowProgress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** A workflow's progress: weighed by the kinds' median durations or equally, and the time left. */
class WorkflowProgressTest {
  private static final Instant CREATED = Instant.parse("2026-11-30T10:00:00Z");
  private static final Instant NOW = CREATED.plusSeconds(100);

  private static Workflow.Step step(
      String name,
      String kind,
      JobState state,
      @Nullable Double percent,
      @Nullable Double eta,
      String... after) {
    Progress p =
        percent == null ? null : new Progress(percent, 0, null, null, List.of(), null, eta, 0, NOW);
    return new Workflow.Step(
        name, new JobId(1), kind, state, List.of(after), OnFailure.CANCEL, null, null, p);
  }

  @Test
  void withoutDurationsEveryStepWeighsTheSameAndTheTimeLeftScalesTheTimeSoFar() {
    WorkflowProgress p =
        WorkflowProgress.of(
            List.of(
                step("a", "k", JobState.SUCCEEDED, null, null),
                step("b", "k", JobState.DEAD, null, null),
                step("c", "k", JobState.RUNNING, 50.0, null, "a"),
                step("d", "k", JobState.WAITING, null, null, "c")),
            Map.of(),
            CREATED,
            NOW,
            false);
    assertThat(p.weights()).isEqualTo("equal");
    assertThat(p.percent()).isEqualTo(62.5);
    // 100 s for 62.5 %: 60 s for the 37.5 % left.
    assertThat(p.eta()).isEqualTo(60.0);
  }

  @Test
  void nothingDoneYetWithoutDurationsHasNoEstimate() {
    WorkflowProgress p =
        WorkflowProgress.of(
            List.of(step("a", "k", JobState.AVAILABLE, null, null)), Map.of(), CREATED, NOW, false);
    assertThat(p.percent()).isZero();
    assertThat(p.eta()).isNull();
  }

  @Test
  void stepsWeighTheirKindsMediansAndTheTimeLeftFollowsTheLongestChain() {
    WorkflowProgress p =
        WorkflowProgress.of(
            List.of(
                step("sync", "short", JobState.SUCCEEDED, null, null),
                step("report", "long", JobState.RUNNING, 50.0, null, "sync"),
                step("reconcile", "short", JobState.AVAILABLE, null, null, "sync"),
                step("notify", "short", JobState.WAITING, null, null, "report", "reconcile")),
            Map.of("short", 1_000.0, "long", 9_000.0),
            CREATED,
            NOW,
            false);
    assertThat(p.weights()).isEqualTo("durations");
    // (1000 + 4500 + 0 + 0) of 12000.
    assertThat(p.percent()).isEqualTo(45.8);
    // report's 4.5 s left, then notify's 1 s; reconcile (1 s) runs beside report.
    assertThat(p.eta()).isEqualTo(5.5);
  }

  @Test
  void aRunningStepsOwnEstimateAndAKindWithoutRunsWeighingTheMeanOfTheOthers() {
    WorkflowProgress p =
        WorkflowProgress.of(
            List.of(
                step("a", "short", JobState.SUCCEEDED, null, null),
                step("b", "long", JobState.RUNNING, 10.0, 2.0, "a"),
                step("c", "new.kind", JobState.WAITING, null, null, "b")),
            Map.of("short", 1_000.0, "long", 3_000.0),
            CREATED,
            NOW,
            false);
    // c weighs (1000 + 3000) / 2 = 2000: (1000 + 300 + 0) of 6000.
    assertThat(p.percent()).isEqualTo(21.7);
    // b says 2 s left, then c's 2 s.
    assertThat(p.eta()).isEqualTo(4.0);
  }

  @Test
  void anEndedWorkflowIsAtAHundredWithNothingLeft() {
    WorkflowProgress p =
        WorkflowProgress.of(
            List.of(step("a", "k", JobState.SUCCEEDED, null, null)),
            Map.of("k", 500.0),
            CREATED,
            NOW,
            true);
    assertThat(p.percent()).isEqualTo(100.0);
    assertThat(p.eta()).isEqualTo(0.0);
  }
}
