package dev.offload.testsupport;

import static dev.offload.Workflow.StepOptions.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.PermanentFailure;
import dev.offload.Workflow;
import dev.offload.Workflow.WorkflowId;
import dev.offload.internal.Json;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fan-out and join (a running step adds steps, a group join waits for all of them), batches with
 * {@code onComplete}/{@code onSuccess}, and re-arming on retry and replay, on every store. Run by
 * {@code PostgresFanOutTest} and {@code SqliteFanOutTest}.
 */
public abstract class FanOutContract {
  /** A store over a fresh database of this test class's own. */
  protected abstract Store newStore();

  /** Empties the jobs and workflows between tests. */
  protected abstract void truncate() throws Exception;

  /**
   * What the fanning-out step does: adds {@code pages} pages (each adding {@code parts} parts),
   * waiting for each page to end before adding the next when {@code oneByOne}; fails permanently on
   * its first run when {@code failFirst}.
   */
  public record SyncArgs(int pages, int parts, boolean oneByOne, boolean failFirst) {}

  public record PageArgs(String name, int parts, boolean fail) {}

  public record BatchCounts(long id, int total, int succeeded, int dead, int cancelled) {}

  public record DoneArgs(String label, BatchCounts batch) {}

  protected Store store;
  private final List<Offload> nodes = new ArrayList<>();
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final Map<String, Object> seen = new ConcurrentHashMap<>();
  private final List<DoneArgs> callbacks = new CopyOnWriteArrayList<>();

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

  private int ran(String name) {
    AtomicInteger n = runs.get(name);
    return n == null ? 0 : n.get();
  }

  private Offload node() {
    Offload o =
        Offload.builder()
            .store(store)
            .migrate(false)
            .pollInterval(Duration.ofMillis(50))
            .shutdownGrace(Duration.ofMillis(500))
            .register(
                "fan.sync",
                SyncArgs.class,
                (args, ctx) -> {
                  int run =
                      runs.computeIfAbsent("sync", k -> new AtomicInteger()).incrementAndGet();
                  for (int i = 1; i <= args.pages(); i++) {
                    long page =
                        ctx.workflow()
                            .add(
                                "page-" + i,
                                "fan.page",
                                new PageArgs("page-" + i, args.parts(), false))
                            .value();
                    if (args.oneByOne() && i < args.pages()) {
                      // The page ended and the next is not added yet: the join must still wait.
                      await()
                          .atMost(Duration.ofSeconds(30))
                          .until(() -> store.jobGet(page).orElseThrow().state().isFinal());
                      seen.put("join between pages " + i, joinState(ctx.workflow().id()));
                    }
                  }
                  if (args.failFirst() && run == 1) {
                    throw new PermanentFailure("sync fails on its first run");
                  }
                  return args.pages();
                },
                JobOptions.defaults().maxAttempts(1))
            .register(
                "fan.page",
                PageArgs.class,
                (args, ctx) -> {
                  runs.computeIfAbsent(args.name(), k -> new AtomicInteger()).incrementAndGet();
                  for (int j = 1; j <= args.parts(); j++) {
                    ctx.workflow()
                        .add(
                            "part-" + j,
                            "fan.page",
                            new PageArgs(args.name() + "/part-" + j, 0, false));
                  }
                  if (args.fail()) {
                    throw new PermanentFailure(args.name() + " fails");
                  }
                  return args.name();
                },
                JobOptions.defaults().maxAttempts(1))
            .register(
                "fan.join",
                PageArgs.class,
                (args, ctx) -> {
                  runs.computeIfAbsent(args.name(), k -> new AtomicInteger()).incrementAndGet();
                  return null;
                },
                JobOptions.defaults().maxAttempts(1))
            .register(
                "fan.done",
                DoneArgs.class,
                (args, ctx) -> {
                  callbacks.add(args);
                  return null;
                },
                JobOptions.defaults().maxAttempts(1))
            .register(
                "fan.plain",
                PageArgs.class,
                (args, ctx) -> {
                  try {
                    ctx.workflow().add("x", "fan.page", null);
                  } catch (IllegalStateException e) {
                    seen.put("plain", e.getMessage());
                  }
                  return null;
                },
                JobOptions.defaults().maxAttempts(1))
            .build();
    nodes.add(o);
    return o;
  }

  private JobState joinState(WorkflowId id) {
    return stateOf(nodes.get(0).workflow(id).orElseThrow(), "report");
  }

  private Workflow awaitWorkflow(Offload o, WorkflowId id, Workflow.State state) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> o.workflow(id).orElseThrow().state() == state);
    return o.workflow(id).orElseThrow();
  }

  private Job job(Workflow w, String step) {
    return store.jobGet(step(w, step).jobId().value()).orElseThrow();
  }

  private static Workflow.Step step(Workflow w, String step) {
    return w.steps().stream().filter(s -> s.name().equals(step)).findFirst().orElseThrow();
  }

  private static JobState stateOf(Workflow w, String step) {
    return step(w, step).state();
  }

  @Test
  void aGroupJoinWaitsForEveryStepAddedWhileTheWorkflowRuns() {
    Offload o = node();
    WorkflowId id =
        o.workflow("sync-then-report")
            .step("sync", "fan.sync", new SyncArgs(3, 2, /* oneByOne= */ true, false))
            .step("report", "fan.join", new PageArgs("report", 0, false), after("sync/*"))
            .enqueue();
    o.start();
    Workflow w = awaitWorkflow(o, id, Workflow.State.SUCCEEDED);

    // 1 sync + 3 pages + 6 parts + the report.
    assertThat(w.steps()).hasSize(11);
    assertThat(w.steps())
        .extracting(Workflow.Step::name)
        .contains("sync/page-1", "sync/page-3", "sync/page-2/part-2");
    assertThat(seen.get("join between pages 1")).isEqualTo(JobState.WAITING);
    assertThat(seen.get("join between pages 2")).isEqualTo(JobState.WAITING);
    Job report = job(w, "report");
    for (Workflow.Step s : w.steps()) {
      if (!s.name().equals("report")) {
        assertThat(s.state()).as(s.name()).isEqualTo(JobState.SUCCEEDED);
        assertThat(report.startedAt())
            .as("report after %s", s.name())
            .isAfterOrEqualTo(job(w, s.name()).finishedAt());
        assertThat(ran(s.name().replace("sync/", ""))).as(s.name()).isEqualTo(1);
      }
    }
    assertThat(step(w, "report").after()).hasSize(10).contains("sync", "sync/page-2/part-1");
    assertThat(ran("report")).isEqualTo(1);
  }

  @Test
  void aStepThatRunsAgainAddsEachStepOnceAndTheJoinWaitsForItAgain() {
    Offload o = node();
    WorkflowId id =
        o.workflow("retried-fan-out")
            .step("sync", "fan.sync", new SyncArgs(4, 0, false, /* failFirst= */ true))
            .step("report", "fan.join", new PageArgs("report", 0, false), after("sync/*"))
            .enqueue();
    o.start();
    Workflow failed = awaitWorkflow(o, id, Workflow.State.FAILED);
    assertThat(stateOf(failed, "report")).isEqualTo(JobState.CANCELLED);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() ->
            o.workflow(id).orElseThrow().steps().stream()
                .filter(s -> s.name().startsWith("sync/"))
                .allMatch(s -> s.state() == JobState.SUCCEEDED));

    o.retry(job(failed, "sync").id());
    Workflow done = awaitWorkflow(o, id, Workflow.State.SUCCEEDED);
    assertThat(ran("sync")).isEqualTo(2);
    assertThat(done.steps()).hasSize(6);
    for (int i = 1; i <= 4; i++) {
      assertThat(ran("page-" + i)).as("page-%s ran once", i).isEqualTo(1);
    }
    assertThat(ran("report")).isEqualTo(1);
    assertThat(job(done, "report").startedAt()).isAfterOrEqualTo(job(done, "sync").finishedAt());
  }

  @Test
  void onlyARunningWorkflowStepAddsStepsAndADependencyMustExist() {
    Offload o = node();
    o.start();
    o.enqueue("fan.plain", new PageArgs("plain", 0, false));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.containsKey("plain"));
    assertThat((String) seen.get("plain")).contains("is not a workflow step");

    WorkflowId id =
        o.workflow("w").step("sync", "fan.sync", new SyncArgs(1, 0, false, false)).enqueue();
    Workflow w = awaitWorkflow(o, id, Workflow.State.SUCCEEDED);
    long syncJob = step(w, "sync").jobId().value();
    // Ended: adding now is refused, nothing is written.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> store.workflowAddSteps(syncJob, Instant.now(), List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only a running step adds steps");
    assertThat(o.workflow(id).orElseThrow().steps()).hasSize(2);
  }

  @Test
  void aBatchRunsOnCompleteOnceWithItsCountsAndOnSuccessOnlyWhenEveryJobSucceeded() {
    Offload o = node();
    List<JobRequest> mixed = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      mixed.add(JobRequest.of("fan.page", new PageArgs("m" + i, 0, i == 3)));
    }
    WorkflowId failing =
        o.batch("mixed")
            .onComplete("fan.done", new DoneArgs("mixed complete", null))
            .onSuccess("fan.done", new DoneArgs("mixed success", null))
            .enqueueAll(mixed);
    List<JobRequest> good = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      good.add(JobRequest.of("fan.page", new PageArgs("g" + i, 0, false)));
    }
    WorkflowId succeeding =
        o.batch("good").onSuccess("fan.done", new DoneArgs("good success", null)).enqueueAll(good);
    o.start();

    Workflow mixedDone = awaitWorkflow(o, failing, Workflow.State.FAILED);
    Workflow goodDone = awaitWorkflow(o, succeeding, Workflow.State.SUCCEEDED);
    assertThat(stateOf(mixedDone, "onSuccess")).isEqualTo(JobState.CANCELLED);
    assertThat(stateOf(mixedDone, "onComplete")).isEqualTo(JobState.SUCCEEDED);
    assertThat(callbacks)
        .extracting(DoneArgs::label)
        .containsExactlyInAnyOrder("mixed complete", "good success");
    DoneArgs complete =
        callbacks.stream()
            .filter(c -> c.label().equals("mixed complete"))
            .findFirst()
            .orElseThrow();
    assertThat(complete.batch()).isEqualTo(new BatchCounts(failing.value(), 5, 4, 1, 0));
    DoneArgs success =
        callbacks.stream().filter(c -> c.label().equals("good success")).findFirst().orElseThrow();
    assertThat(success.batch()).isEqualTo(new BatchCounts(succeeding.value(), 4, 4, 0, 0));
    Job onComplete = job(mixedDone, "onComplete");
    for (Workflow.Step s : mixedDone.steps()) {
      if (s.name().startsWith("job-")) {
        assertThat(onComplete.startedAt()).isAfterOrEqualTo(job(mixedDone, s.name()).finishedAt());
      }
    }
    assertThat(goodDone.steps()).hasSize(5);
  }

  @Test
  void concurrentCompletionsOfABatchsLastTwoJobsReleaseItsCallbackOnceWithBothCounted()
      throws Exception {
    Offload o = node();
    int batches = 20;
    List<WorkflowId> ids = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      ids.add(
          o.batch("race")
              .onComplete("fan.done", new DoneArgs("race", null))
              .enqueueAll(
                  List.of(
                      JobRequest.of("fan.page", new PageArgs("a", 0, false)),
                      JobRequest.of("fan.page", new PageArgs("b", 0, false)))));
    }
    List<ClaimedJob> claimed =
        store.jobClaim(
            StoreFixtures.claim(
                "default",
                List.of("fan.page"),
                1000,
                "n",
                9L,
                Instant.now(),
                Duration.ofSeconds(30)));
    assertThat(claimed).hasSize(2 * batches);
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
                          c.id(), 9L, JobState.SUCCEEDED, Instant.now(), null, "{}", null, null)));
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
      Workflow w = o.workflow(id).orElseThrow();
      assertThat(stateOf(w, "onComplete"))
          .as("callback of batch %s", id)
          .isEqualTo(JobState.AVAILABLE);
      JsonNode args = job(w, "onComplete").args();
      assertThat(args.get("label").asText()).isEqualTo("race");
      assertThat(Json.read(args.get("batch").toString(), BatchCounts.class))
          .isEqualTo(new BatchCounts(id.value(), 2, 2, 0, 0));
    }
  }

  @Test
  void aRetriedStepThatAFailedDependencyCancelledWaitsForItAgain() {
    Offload first = node();
    WorkflowId id =
        first
            .workflow("chain")
            .step("a", "fan.page", new PageArgs("a", 0, true))
            .step("b", "fan.join", new PageArgs("b", 0, false), after("a"))
            .enqueue();
    first.start();
    Workflow failed = awaitWorkflow(first, id, Workflow.State.FAILED);
    assertThat(stateOf(failed, "b")).isEqualTo(JobState.CANCELLED);
    first.stop();

    Offload o = node();
    o.retry(job(failed, "b").id());
    // a is still dead: b waits (it used to become available and run without a).
    assertThat(stateOf(o.workflow(id).orElseThrow(), "b")).isEqualTo(JobState.WAITING);
    o.start();
    assertThat(
            store.jobClaim(
                StoreFixtures.claim(
                    "default",
                    List.of("fan.join"),
                    10,
                    "n",
                    3L,
                    Instant.now(),
                    Duration.ofSeconds(30))))
        .isEmpty();
    assertThat(ran("b")).isZero();
  }

  @Test
  void replayingDeadStepsRearmsTheDependentsTheirFailureCancelled() {
    Offload first = node();
    WorkflowId id =
        first
            .workflow("chain")
            .step("a", "fan.page", new PageArgs("a", 0, true))
            .step("b", "fan.join", new PageArgs("b", 0, false), after("a"))
            .step("c", "fan.join", new PageArgs("c", 0, false), after("b"))
            .enqueue();
    first.start();
    Workflow failed = awaitWorkflow(first, id, Workflow.State.FAILED);
    assertThat(stateOf(failed, "c")).isEqualTo(JobState.CANCELLED);
    first.stop();

    Offload o = node();
    assertThat(o.replay(JobFilter.dead())).isEqualTo(1);
    Workflow rearmed = o.workflow(id).orElseThrow();
    assertThat(stateOf(rearmed, "a")).isEqualTo(JobState.AVAILABLE);
    assertThat(stateOf(rearmed, "b")).isEqualTo(JobState.WAITING);
    assertThat(stateOf(rearmed, "c")).isEqualTo(JobState.WAITING);
    assertThat(rearmed.state()).isEqualTo(Workflow.State.RUNNING);

    // Replaying cancelled steps whose dependency is still dead: they wait, they do not run.
    Offload again = node();
    WorkflowId second =
        again
            .workflow("chain-2")
            .step("a", "fan.page", new PageArgs("a2", 0, true))
            .step("b", "fan.join", new PageArgs("b2", 0, false), after("a"))
            .enqueue();
    again.start();
    Workflow failedAgain = awaitWorkflow(again, second, Workflow.State.FAILED);
    again.stop();
    o.replay(JobFilter.any().state(JobState.CANCELLED));
    assertThat(stateOf(o.workflow(second).orElseThrow(), "b")).isEqualTo(JobState.WAITING);
    assertThat(stateOf(o.workflow(second).orElseThrow(), "a")).isEqualTo(JobState.DEAD);
    assertThat(failedAgain.steps()).hasSize(2);
  }
}
