package dev.offload.testsupport;

import static dev.offload.Workflow.StepOptions.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.PermanentFailure;
import dev.offload.Workflow;
import dev.offload.Workflow.OnFailure;
import dev.offload.Workflow.WorkflowBuilder;
import dev.offload.Workflow.WorkflowId;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workflows on every store: dependency order, the waiting state never claimed, release in the
 * completion's transaction, the failure policy both ways, cancel and retry, and refused graphs. Run
 * by {@code PostgresWorkflowTest} and {@code SqliteWorkflowTest}.
 */
public abstract class WorkflowContract {
  /** A store over a fresh database of this test class's own. */
  protected abstract Store newStore();

  /** Empties the jobs and workflows between tests. */
  protected abstract void truncate() throws Exception;

  /** What a step does: its name, and whether it fails (permanently) on its first attempts. */
  public record StepArgs(String name, int failures) {}

  public record StepResult(String name, String sawSync) {}

  protected Store store;
  private final List<Offload> nodes = new ArrayList<>();
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  @BeforeEach
  void open() throws Exception {
    store = newStore();
    store.migrate();
    truncate();
  }

  @AfterEach
  void close() {
    nodes.forEach(Offload::stop);
    store.close();
  }

  private Offload node() {
    Offload o =
        Offload.builder()
            .store(store)
            .migrate(false)
            .pollInterval(Duration.ofMillis(50))
            .shutdownGrace(Duration.ofMillis(500))
            .register(
                "wf.step",
                StepArgs.class,
                (args, ctx) -> {
                  int run =
                      runs.computeIfAbsent(args.name(), k -> new AtomicInteger()).incrementAndGet();
                  if (run <= args.failures()) {
                    throw new PermanentFailure("step " + args.name() + " fails on run " + run);
                  }
                  StepResult sync =
                      args.name().equals("sync") ? null : ctx.resultOf("sync", StepResult.class);
                  return new StepResult(args.name(), sync == null ? null : sync.name());
                },
                JobOptions.defaults().maxAttempts(1))
            .build();
    nodes.add(o);
    return o;
  }

  private static WorkflowBuilder monthEnd(Offload o, int syncFailures) {
    return o.workflow("month-end")
        .step("sync", "wf.step", new StepArgs("sync", syncFailures))
        .step("report", "wf.step", new StepArgs("report", 0), after("sync"))
        .step("reconcile", "wf.step", new StepArgs("reconcile", 0), after("sync"))
        .step(
            "notify",
            "wf.step",
            new StepArgs("notify", 0),
            after("report", "reconcile").onFailure(OnFailure.CONTINUE));
  }

  private Workflow awaitWorkflow(Offload o, WorkflowId id, Workflow.State state) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> o.workflow(id).orElseThrow().state() == state);
    return o.workflow(id).orElseThrow();
  }

  private Job job(Workflow w, String step) {
    long id =
        w.steps().stream()
            .filter(s -> s.name().equals(step))
            .findFirst()
            .orElseThrow()
            .jobId()
            .value();
    return store.jobGet(id).orElseThrow();
  }

  private static JobState stateOf(Workflow w, String step) {
    return w.steps().stream().filter(s -> s.name().equals(step)).findFirst().orElseThrow().state();
  }

  @Test
  void stepsRunAfterTheirDependenciesAndReadTheirResults() {
    Offload o = node();
    o.start();
    WorkflowId id = monthEnd(o, 0).enqueue();
    Workflow w = awaitWorkflow(o, id, Workflow.State.SUCCEEDED);
    assertThat(w.progress().percent()).isEqualTo(100.0);
    Job sync = job(w, "sync");
    Job report = job(w, "report");
    Job reconcile = job(w, "reconcile");
    Job notify = job(w, "notify");
    assertThat(report.startedAt()).isAfterOrEqualTo(sync.finishedAt());
    assertThat(reconcile.startedAt()).isAfterOrEqualTo(sync.finishedAt());
    assertThat(notify.startedAt())
        .isAfterOrEqualTo(report.finishedAt())
        .isAfterOrEqualTo(reconcile.finishedAt());
    assertThat(report.result().get("sawSync").asText()).isEqualTo("sync");
    assertThat(notify.workflowId()).isEqualTo(id.value());
    assertThat(notify.step()).isEqualTo("notify");
    assertThat(w.steps().get(3).after()).containsExactly("report", "reconcile");
  }

  @Test
  void aWaitingStepIsNeverClaimedAndIsReleasedByTheCompletionOfItsLastDependency() {
    Offload o = node(); // not started: this test claims and completes by hand
    WorkflowId id =
        o.workflow("pair")
            .step("a", "wf.step", new StepArgs("a", 0))
            .step("b", "wf.step", new StepArgs("b", 0))
            .step("join", "wf.step", new StepArgs("join", 0), after("a", "b"))
            .enqueue();
    Workflow w = o.workflow(id).orElseThrow();
    assertThat(stateOf(w, "join")).isEqualTo(JobState.WAITING);
    assertThat(w.state()).isEqualTo(Workflow.State.RUNNING);

    List<ClaimedJob> claimed =
        store.jobClaim(
            StoreFixtures.claim(
                "default", List.of("wf.step"), 10, "n", 1L, Instant.now(), Duration.ofSeconds(30)));
    assertThat(claimed)
        .extracting(ClaimedJob::id)
        .containsExactlyInAnyOrder(job(w, "a").id().value(), job(w, "b").id().value());
    Instant now = Instant.now();
    store.jobCompleteMany(
        List.of(
            StoreFixtures.completion(
                claimed.get(0).id(), 1L, JobState.SUCCEEDED, now, null, "{}", null, null)));
    assertThat(stateOf(o.workflow(id).orElseThrow(), "join")).isEqualTo(JobState.WAITING);
    assertThat(
            store.jobClaim(
                StoreFixtures.claim(
                    "default",
                    List.of("wf.step"),
                    10,
                    "n",
                    2L,
                    Instant.now(),
                    Duration.ofSeconds(30))))
        .isEmpty();

    store.jobCompleteMany(
        List.of(
            StoreFixtures.completion(
                claimed.get(1).id(), 1L, JobState.SUCCEEDED, now, null, "{}", null, null)));
    // Available as soon as the completion returns: released in its transaction.
    assertThat(stateOf(o.workflow(id).orElseThrow(), "join")).isEqualTo(JobState.AVAILABLE);
  }

  @Test
  void concurrentCompletionsOfTheLastTwoDependenciesAlwaysReleaseTheJoin() throws Exception {
    Offload o = node();
    int workflows = 20;
    List<WorkflowId> ids = new ArrayList<>();
    for (int i = 0; i < workflows; i++) {
      ids.add(
          o.workflow("race")
              .step("a", "wf.step", new StepArgs("a", 0))
              .step("b", "wf.step", new StepArgs("b", 0))
              .step("join", "wf.step", new StepArgs("join", 0), after("a", "b"))
              .enqueue());
    }
    List<ClaimedJob> claimed =
        store.jobClaim(
            StoreFixtures.claim(
                "default",
                List.of("wf.step"),
                1000,
                "n",
                7L,
                Instant.now(),
                Duration.ofSeconds(30)));
    assertThat(claimed).hasSize(2 * workflows);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (ClaimedJob c : claimed) {
        done.add(
            pool.submit(() -> {
              go.await();
              return store.jobCompleteMany(
                  List.of(
                      StoreFixtures.completion(
                          c.id(), 7L, JobState.SUCCEEDED, Instant.now(), null, "{}", null, null)));
            }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    for (WorkflowId id : ids) {
      assertThat(stateOf(o.workflow(id).orElseThrow(), "join"))
          .as("join of workflow %s", id)
          .isEqualTo(JobState.AVAILABLE);
    }
  }

  @Test
  void aFailedDependencyCancelsItsDependentsAndAContinueStepRunsAnyway() {
    Offload o = node();
    o.start();
    WorkflowId id = monthEnd(o, 1).enqueue();
    Workflow w = awaitWorkflow(o, id, Workflow.State.FAILED);
    assertThat(stateOf(w, "sync")).isEqualTo(JobState.DEAD);
    assertThat(stateOf(w, "report")).isEqualTo(JobState.CANCELLED);
    assertThat(stateOf(w, "reconcile")).isEqualTo(JobState.CANCELLED);
    assertThat(stateOf(w, "notify")).isEqualTo(JobState.SUCCEEDED);
    assertThat(runs.get("report")).isNull();
    assertThat(job(w, "notify").result().get("sawSync").isNull()).isTrue();

    // Retrying runs the dead and cancelled steps again; the succeeded notify is not run again.
    o.retryWorkflow(id);
    Workflow retried = awaitWorkflow(o, id, Workflow.State.SUCCEEDED);
    assertThat(runs.get("sync").get()).isEqualTo(2);
    assertThat(runs.get("report").get()).isEqualTo(1);
    assertThat(runs.get("notify").get()).isEqualTo(1);
    assertThat(job(retried, "report").startedAt())
        .isAfterOrEqualTo(job(retried, "sync").finishedAt());
  }

  @Test
  void cancellingAWorkflowCancelsEveryUnfinishedStepAndRetryRunsThemAgain() {
    Offload o = node();
    WorkflowId id = monthEnd(o, 0).enqueue();
    o.cancelWorkflow(id);
    Workflow cancelled = o.workflow(id).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(Workflow.State.CANCELLED);
    assertThat(cancelled.steps()).allMatch(s -> s.state() == JobState.CANCELLED);

    o.retryWorkflow(id);
    Workflow rearmed = o.workflow(id).orElseThrow();
    assertThat(rearmed.state()).isEqualTo(Workflow.State.RUNNING);
    assertThat(stateOf(rearmed, "sync")).isEqualTo(JobState.AVAILABLE);
    assertThat(stateOf(rearmed, "report")).isEqualTo(JobState.WAITING);
    o.start();
    awaitWorkflow(o, id, Workflow.State.SUCCEEDED);
    assertThatThrownBy(() -> o.cancelWorkflow(new WorkflowId(999_999)))
        .hasMessageContaining("no workflow 999999");
  }

  @Test
  void retryingOneDeadStepRearmsTheDependentsItsFailureCancelledDownTheGraph() {
    Offload first = node();
    WorkflowId id =
        first
            .workflow("chain")
            .step("a", "wf.step", new StepArgs("a", 1))
            .step("b", "wf.step", new StepArgs("b", 0), after("a"))
            .step("c", "wf.step", new StepArgs("c", 0), after("b"))
            .step("d", "wf.step", new StepArgs("d", 0), after("a"))
            .enqueue();
    first.cancel(
        job(first.workflow(id).orElseThrow(), "d")
            .id()); // by a user: not a consequence of a's failure
    first.start();
    Workflow failed = awaitWorkflow(first, id, Workflow.State.FAILED);
    assertThat(stateOf(failed, "a")).isEqualTo(JobState.DEAD);
    assertThat(stateOf(failed, "c")).isEqualTo(JobState.CANCELLED);
    first.stop(); // nothing runs while the retry's outcome is read

    Offload o = node();
    o.retry(job(failed, "a").id());
    // In the retry's own transaction: b and c wait again (transitively), d stays cancelled.
    Workflow rearmed = o.workflow(id).orElseThrow();
    assertThat(stateOf(rearmed, "a")).isEqualTo(JobState.AVAILABLE);
    assertThat(stateOf(rearmed, "b")).isEqualTo(JobState.WAITING);
    assertThat(stateOf(rearmed, "c")).isEqualTo(JobState.WAITING);
    assertThat(stateOf(rearmed, "d")).isEqualTo(JobState.CANCELLED);
    assertThat(rearmed.state()).isEqualTo(Workflow.State.RUNNING);

    o.start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> stateOf(o.workflow(id).orElseThrow(), "c") == JobState.SUCCEEDED);
    Workflow done = o.workflow(id).orElseThrow();
    assertThat(stateOf(done, "b")).isEqualTo(JobState.SUCCEEDED);
    assertThat(job(done, "c").startedAt()).isAfterOrEqualTo(job(done, "b").finishedAt());
    assertThat(stateOf(done, "d")).isEqualTo(JobState.CANCELLED);
    assertThat(runs.get("d")).isNull();
  }

  @Test
  void deletingAJobThatAWaitingStepWaitsForIsRefusedNamingTheStep() {
    Offload o = node(); // not started: the steps stay where they are
    WorkflowId id =
        o.workflow("pair")
            .step("a", "wf.step", new StepArgs("a", 0))
            .step("b", "wf.step", new StepArgs("b", 0), after("a"))
            .enqueue();
    Workflow w = o.workflow(id).orElseThrow();
    JobId a = job(w, "a").id();
    long b = job(w, "b").id().value();
    assertThatThrownBy(() -> o.delete(a))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("job " + b + " (step 'b')")
        .hasMessageContaining("cancel it instead");
    assertThat(store.jobGet(a.value())).isPresent();
    assertThat(stateOf(o.workflow(id).orElseThrow(), "b")).isEqualTo(JobState.WAITING);

    // Cancelled instead, the dependency cancels b (its policy), and then nothing waits for it.
    o.cancel(a);
    assertThat(stateOf(o.workflow(id).orElseThrow(), "b")).isEqualTo(JobState.CANCELLED);
    o.delete(a);
    assertThat(store.jobGet(a.value())).isEmpty();
  }

  @Test
  void aBadGraphIsRefusedNamingTheStepAndNothingIsWritten() {
    Offload o = node();
    assertThatThrownBy(
            () -> o.workflow("w").step("a", "wf.step", null).step("a", "wf.step", null).enqueue())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate step 'a'");
    assertThatThrownBy(() -> o.workflow("w").step("a", "wf.step", null, after("ghost")).enqueue())
        .hasMessageContaining("step 'a' waits for a missing step 'ghost'");
    assertThatThrownBy(() ->
            o.workflow("w")
                .step("a", "wf.step", null, after("c"))
                .step("b", "wf.step", null, after("a"))
                .step("c", "wf.step", null, after("b"))
                .step("d", "wf.step", null)
                .enqueue())
        .hasMessageContaining("has a cycle")
        .hasMessageContaining("a -> b -> c -> a");
    assertThatThrownBy(() ->
            o.workflow("w").step("a", "wf.step", null).step("b", "no.such.kind", null).enqueue())
        .hasMessageContaining("step 'b'")
        .hasMessageContaining("no.such.kind");
    assertThat(store.jobList(JobQuery.all()).jobs()).isEmpty();
  }
}
