package dev.offload.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Workflow;
import dev.offload.Workflow.OnFailure;
import dev.offload.Workflow.WorkflowId;
import dev.offload.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's month-end is one workflow on a real SQLite store, with the demo's own kinds and a
 * well-behaved simulated upstream: its shape, its order, the notification that reads the other
 * steps' results, and the notification that goes out when the sync fails.
 */
class DemoMonthEndTest {
  @TempDir Path dir;

  private DemoOrders orders;
  private DemoUpstream upstream;
  private DemoClient client;
  private Offload offload;

  @AfterEach
  void close() {
    if (offload != null) {
      offload.close();
    }
    if (client != null) {
      client.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (orders != null) {
      orders.close();
    }
  }

  /**
   * The demo's kinds on a fresh store, against an upstream of {@code n} orders that never fails.
   */
  private Offload offload(int n) {
    orders = DemoOrders.open(dir.resolve("orders.db"));
    upstream =
        DemoUpstream.start(
            new DemoUpstream.Config(n, DemoUpstream.SEED, 10_000, 10_000, 0, 1, 0, 100));
    client = new DemoClient(upstream.uri());
    DemoKinds kinds = new DemoKinds(orders, dir);
    Offload.Builder b = Offload.builder().store(SqliteStore.open(dir.resolve("offload.db")));
    kinds.configure(b);
    b.pollInterval(Duration.ofMillis(50));
    offload = b.build();
    kinds.attach(offload, client);
    return offload;
  }

  @Test
  void theMonthEndIsOneWorkflowSyncThenReportAndReconcileThenANotifyThatRunsEitherWay() {
    Offload o = offload(300);

    Workflow w = DemoMonthEnd.enqueue(o, 300);

    assertThat(w.name()).isEqualTo("month-end");
    assertThat(w.state()).isEqualTo(Workflow.State.RUNNING);
    assertThat(w.steps())
        .extracting(Workflow.Step::name, Workflow.Step::kind, Workflow.Step::after)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("sync", DemoKinds.SYNC, List.of()),
            org.assertj.core.groups.Tuple.tuple("report", DemoKinds.REPORT, List.of("sync")),
            org.assertj.core.groups.Tuple.tuple("reconcile", DemoKinds.RECONCILE, List.of("sync")),
            org.assertj.core.groups.Tuple.tuple(
                "notify", DemoKinds.NOTIFY, List.of("report", "reconcile")));
    assertThat(w.steps())
        .extracting(Workflow.Step::onFailure)
        .containsExactly(OnFailure.CANCEL, OnFailure.CANCEL, OnFailure.CANCEL, OnFailure.CONTINUE);
    // Enqueued together: the steps after the sync exist from the start, waiting.
    assertThat(w.steps())
        .extracting(Workflow.Step::state)
        .containsExactly(JobState.AVAILABLE, JobState.WAITING, JobState.WAITING, JobState.WAITING);
    assertThat(o.jobs(JobQuery.of(JobFilter.any())).jobs())
        .hasSize(4)
        .allSatisfy(j -> assertThat(j.workflowId()).isEqualTo(w.id()));
    assertThat(DemoSummary.shape(w))
        .isEqualTo("sync, then report and reconcile, then notify (runs either way)");
  }

  @Test
  void theStepsRunInDependencyOrderAndTheNotificationReadsWhatTheyReturned() {
    Offload o = offload(300);
    o.start();

    Workflow w = DemoMonthEnd.enqueue(o, 300);
    Workflow done = awaitEnd(o, w.id());

    assertThat(done.state()).as("%s", done).isEqualTo(Workflow.State.SUCCEEDED);
    Job sync = job(o, done, "sync");
    Job report = job(o, done, "report");
    Job reconcile = job(o, done, "reconcile");
    Job notify = job(o, done, "notify");
    assertThat(report.startedAt()).isAfterOrEqualTo(sync.finishedAt());
    assertThat(reconcile.startedAt()).isAfterOrEqualTo(sync.finishedAt());
    Instant lastBeforeNotify =
        report.finishedAt().isAfter(reconcile.finishedAt())
            ? report.finishedAt()
            : reconcile.finishedAt();
    assertThat(notify.startedAt()).isAfterOrEqualTo(lastBeforeNotify);
    // The sync no longer enqueues its followers by hand: the workflow's four jobs are all there is.
    assertThat(sync.result().get("reportJob").isNull()).isTrue();
    assertThat(o.jobs(JobQuery.of(JobFilter.any())).jobs()).hasSize(4);
    // The notification read the report's and the reconciliation's results.
    String subject = notify.result().path("subject").asText();
    assertThat(notify.result().path("complete").asBoolean()).isTrue();
    assertThat(subject)
        .isEqualTo(
            String.format(
                "Month-end %d: %,d orders, %s; %d of 12 months match the upstream",
                DemoUpstream.YEAR,
                report.result().path("orders").asLong(),
                DemoReports.money(report.result().path("totalCents").asLong()),
                reconcile.result().path("matched").asInt()));
    assertThat(reconcile.result().path("matched").asInt()).isEqualTo(12);
  }

  @Test
  void aSyncThatFailsCancelsTheReportAndTheReconciliationButTheNotificationStillGoesOut() {
    Offload o = offload(300);
    o.start();

    // 0 orders is out of the sync's range: it fails for good on its first attempt.
    Workflow w = DemoMonthEnd.enqueue(o, 0);
    Workflow done = awaitEnd(o, w.id());

    assertThat(done.state()).isEqualTo(Workflow.State.FAILED);
    assertThat(done.steps())
        .extracting(Workflow.Step::state)
        .containsExactly(JobState.DEAD, JobState.CANCELLED, JobState.CANCELLED, JobState.SUCCEEDED);
    Job notify = job(o, done, "notify");
    assertThat(notify.result().path("complete").asBoolean()).isFalse();
    assertThat(notify.result().path("subject").asText())
        .isEqualTo(
            "Month-end "
                + DemoUpstream.YEAR
                + " incomplete: the order sync, the report, the reconciliation did not succeed");
  }

  private static Workflow awaitEnd(Offload o, long id) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> o.workflow(new WorkflowId(id)).orElseThrow(),
            w ->
                w.state() != Workflow.State.RUNNING
                    && w.steps().stream().allMatch(s -> s.state().isFinal()));
  }

  private static Job job(Offload o, Workflow w, String step) {
    return o.job(DemoMonthEnd.step(w, step).jobId()).orElseThrow();
  }
}
