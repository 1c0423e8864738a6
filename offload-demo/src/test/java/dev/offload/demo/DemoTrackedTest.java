package dev.offload.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ETA on the demo's screen is the engine's, held while a new attempt has none yet. */
class DemoTrackedTest {
  private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");

  @Test
  void showsTheEnginesEta() {
    DemoTracked t = new DemoTracked(job(JobState.RUNNING, progress(40, 12.0, T0)));

    assertThat(t.eta(T0)).isEqualTo(12.0);
  }

  @Test
  void countsTheLastEtaDownWhileANewAttemptHasNoneYet() {
    DemoTracked t = new DemoTracked(job(JobState.RUNNING, progress(40, 12.0, T0)));
    t.eta(T0);

    t.latest = job(JobState.RUNNING, progress(41, null, T0.plusSeconds(2)));

    assertThat(t.eta(T0.plusSeconds(3))).isCloseTo(9.0, within(0.01));
    assertThat(t.eta(T0.plusSeconds(30))).isZero();
  }

  @Test
  void hasNoEtaBeforeTheEngineGivesOneNorAfterTheJobEnded() {
    DemoTracked t = new DemoTracked(job(JobState.RUNNING, progress(0, null, T0)));
    assertThat(t.eta(T0)).isNull();

    t.latest = job(JobState.RUNNING, progress(50, 5.0, T0));
    t.eta(T0);
    t.latest = job(JobState.SUCCEEDED, progress(100, 0.0, T0.plusSeconds(5)));

    assertThat(t.eta(T0.plusSeconds(5))).isNull();
  }

  private static Progress progress(double percent, Double eta, Instant at) {
    return new Progress(percent, (long) percent, 100L, "fetch", List.of(), null, eta, 0, at);
  }

  private static Job job(JobState state, Progress progress) {
    return new Job(
        new JobId(1),
        DemoKinds.SYNC,
        DemoKinds.SYNC_QUEUE,
        state,
        0,
        null,
        1,
        8,
        T0,
        T0,
        T0,
        state.isFinal() ? T0 : null,
        "node",
        List.of(),
        null,
        progress,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
