package dev.offload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import dev.offload.store.Store;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.WorkflowInsert;
import dev.offload.store.Store.WorkflowRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A workflow as {@code GET /api/workflows/{id}} and {@code offload workflow ID --json} show it.
 *
 * @param id its id
 * @param name its name
 * @param state running, succeeded (every step succeeded), failed (a step ended dead, or was
 *     cancelled because a dependency failed, even if {@code continue} steps then succeeded), or
 *     cancelled (by a user)
 * @param progress how far it is, and an estimate of the time left
 * @param createdAt when it was enqueued
 * @param steps its steps in the order they were given
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Workflow(
    long id,
    String name,
    State state,
    WorkflowProgress progress,
    Instant createdAt,
    List<Step> steps) {
  /** Copies the steps. */
  public Workflow {
    steps = List.copyOf(steps);
  }

  /** A workflow's state, computed from its steps. */
  public enum State {
    /** Some step has not ended, and none failed. */
    RUNNING,
    /** Every step succeeded. */
    SUCCEEDED,
    /** A step ended dead, or was cancelled because a dependency failed. */
    FAILED,
    /** A user cancelled it. */
    CANCELLED;

    /**
     * {@return the name in JSON: {@code running}, {@code succeeded}, {@code failed}, {@code
     * cancelled}}
     */
    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name.
     *
     * @param name the name in JSON
     * @return the state
     */
    @JsonCreator
    public static State fromWire(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  /**
   * A step.
   *
   * @param name its name
   * @param jobId its job
   * @param kind its job's kind
   * @param state its job's state ({@code waiting} until its dependencies end)
   * @param after the steps it waits for
   * @param onFailure what it does when a dependency fails
   * @param startedAt when its job's latest attempt started, or null
   * @param finishedAt when its job reached a final state, or null
   * @param progress its job's latest progress, or null
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Step(
      String name,
      JobId jobId,
      String kind,
      JobState state,
      List<String> after,
      OnFailure onFailure,
      @Nullable Instant startedAt,
      @Nullable Instant finishedAt,
      @Nullable Progress progress) {
    /** Copies the dependencies. */
    public Step {
      after = List.copyOf(after);
    }
  }

  /** The document of a stored workflow, its steps weighing the same. */
  static Workflow of(WorkflowRecord r) {
    return of(r, Map.of(), Instant.now());
  }

  /**
   * The document of a stored workflow, its steps weighed by their kinds' median durations in
   * milliseconds (equally when none of its kinds has one), with the time left as of {@code now}.
   */
  static Workflow of(WorkflowRecord r, Map<String, Double> medianMs, Instant now) {
    List<Step> steps =
        r.steps().stream()
            .map(s ->
                new Step(
                    s.name(),
                    new JobId(s.jobId()),
                    s.kind(),
                    s.state(),
                    s.after(),
                    OnFailure.fromWire(s.onFailure()),
                    s.startedAt(),
                    s.finishedAt(),
                    progress(s.progressJson())))
            .toList();
    boolean allEnded = steps.stream().allMatch(s -> s.state().isFinal());
    boolean failed =
        steps.stream().anyMatch(s -> s.state() == JobState.DEAD || s.state() == JobState.CANCELLED);
    State state;
    if (r.cancelledAt() != null) {
      state = State.CANCELLED;
    } else if (!allEnded) {
      state = State.RUNNING;
    } else {
      state = failed ? State.FAILED : State.SUCCEEDED;
    }
    return new Workflow(
        r.id(),
        r.name(),
        state,
        WorkflowProgress.of(steps, medianMs, r.createdAt(), now, allEnded),
        r.createdAt(),
        steps);
  }

  private static @Nullable Progress progress(@Nullable String json) {
    if (json == null) {
      return null;
    }
    try {
      return dev.offload.internal.Json.read(json, Progress.class);
    } catch (Exception e) {
      return null;
    }
  }

  /** {@code name} if it can name a workflow or batch ({@code what}): 1-200 characters. */
  private static String requireName(String what, @Nullable String name) {
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException(
          "a "
              + what
              + "'s name must be 1-200 characters, got "
              + (name == null ? "null" : "'" + name + "'"));
    }
    return name;
  }

  /**
   * Builds a workflow from {@link Offload#workflow(String)} and enqueues it in one transaction:
   *
   * <pre>{@code
   * offload.workflow("month-end")
   *     .step("sync", "orders.sync", syncArgs)
   *     .step("report", "reports.monthly", reportArgs, after("sync"))
   *     .step("reconcile", "ledger.reconcile", null, after("sync"))
   *     .step("notify", "finance.notify", null, after("report", "reconcile").onFailure(OnFailure.CONTINUE))
   *     .enqueue();
   * }</pre>
   *
   * <p>{@code after("sync/*")} waits for the step {@code sync} and for every step that {@code sync}
   * adds while it runs ({@code ctx.workflow().add(...)}), and that those add in turn: a join over a
   * fan-out whose size is known only at run time.
   *
   * <p>Not thread-safe; build one per workflow.
   */
  public static final class WorkflowBuilder {
    private final String name;
    private final Store store;
    private final Function<List<JobRequest>, List<JobInsert>> validate;
    private final InstantSource clock;
    private final Runnable afterEnqueue;
    private final List<Step> steps = new ArrayList<>();
    private boolean allowUnknownKinds;

    private record Step(String name, String kind, @Nullable Object args, StepOptions options) {}

    WorkflowBuilder(
        String name,
        Store store,
        Function<List<JobRequest>, List<JobInsert>> validate,
        InstantSource clock,
        Runnable afterEnqueue) {
      this.name = requireName("workflow", name);
      this.store = store;
      this.validate = validate;
      this.clock = clock;
      this.afterEnqueue = afterEnqueue;
    }

    /**
     * A step with no dependencies.
     *
     * @param name the step's name, unique in the workflow
     * @param kind its kind
     * @param args its args (anything Jackson can write), or null
     * @return this builder
     */
    public WorkflowBuilder step(String name, String kind, @Nullable Object args) {
      return step(name, kind, args, StepOptions.none());
    }

    /**
     * A step with dependencies and options: {@code step("report", kind, args, after("sync"))}.
     *
     * @param name the step's name, unique in the workflow
     * @param kind its kind
     * @param args its args (anything Jackson can write), or null
     * @param options its dependencies, failure policy, queue and priority
     * @return this builder
     */
    public WorkflowBuilder step(
        String name, String kind, @Nullable Object args, StepOptions options) {
      steps.add(new Step(name, kind, args, Objects.requireNonNull(options, "options")));
      return this;
    }

    /**
     * Enqueues the steps even when no worker has announced their kinds yet, as {@link
     * EnqueueOptions#allowUnknownKind()} does for one job.
     *
     * @return this builder
     */
    public WorkflowBuilder allowUnknownKinds() {
      this.allowUnknownKinds = true;
      return this;
    }

    /**
     * Validates the graph and enqueues every step in one transaction; nothing is written when it is
     * refused.
     *
     * @return the workflow's id
     * @throws IllegalArgumentException naming the step at fault: a duplicate name, a dependency on
     *     a missing step, a cycle, an unknown kind or bad args
     */
    public WorkflowId enqueue() {
      WorkflowId id = new WorkflowId(store.workflowInsert(insert()));
      afterEnqueue.run();
      return id;
    }

    WorkflowInsert insert() {
      if (steps.isEmpty()) {
        throw new IllegalArgumentException("workflow '" + name + "' has no steps");
      }
      Map<String, Integer> index = new LinkedHashMap<>();
      for (int i = 0; i < steps.size(); i++) {
        String step = steps.get(i).name();
        try {
          Validate.scheduleName(step);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "step "
                  + (i + 1)
                  + ": "
                  + String.valueOf(e.getMessage()).replace("schedule name", "step name"),
              e);
        }
        if (index.putIfAbsent(step, i) != null) {
          throw new IllegalArgumentException(
              "duplicate step '" + step + "' in workflow '" + name + "'");
        }
      }
      List<List<Integer>> after = new ArrayList<>();
      List<List<String>> groups = new ArrayList<>();
      for (Step s : steps) {
        // Sets keep the order and make a join after thousands of steps linear, not quadratic.
        Set<Integer> deps = new LinkedHashSet<>();
        Set<String> stepGroups = new LinkedHashSet<>();
        for (String dep : s.options().after()) {
          // "sync/*": the step sync and every step it (or they) will add.
          boolean group = dep.endsWith("/*");
          String step = group ? dep.substring(0, dep.length() - 2) : dep;
          Integer d = index.get(step);
          if (d == null) {
            throw new IllegalArgumentException(
                "step '"
                    + s.name()
                    + "' waits for a missing step '"
                    + step
                    + "'"
                    + (group
                        ? " (the group '" + dep + "' is the steps that '" + step + "' adds)"
                        : ""));
          }
          deps.add(d);
          if (group) {
            stepGroups.add(step);
          }
        }
        after.add(List.copyOf(deps));
        groups.add(List.copyOf(stepGroups));
      }
      requireAcyclic(after);
      List<JobRequest> requests = new ArrayList<>();
      for (Step s : steps) {
        EnqueueOptions o = EnqueueOptions.none();
        if (s.options().queue() != null) {
          o = o.queue(s.options().queue());
        }
        if (s.options().priority() != null) {
          o = o.priority(s.options().priority());
        }
        if (allowUnknownKinds) {
          o = o.allowUnknownKind();
        }
        requests.add(JobRequest.of(s.kind(), s.args(), o));
      }
      List<JobInsert> jobs;
      try {
        jobs = validate.apply(requests);
      } catch (IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        throw new IllegalArgumentException(stepOf(message) + message, e);
      }
      List<WorkflowInsert.Step> out = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) {
        out.add(
            new WorkflowInsert.Step(
                steps.get(i).name(),
                jobs.get(i),
                after.get(i),
                steps.get(i).options().onFailure().wireName(),
                groups.get(i)));
      }
      return new WorkflowInsert(name, clock.instant(), out, /* batch= */ false);
    }

    /** "job 3 of 4: ..." from the enqueuer names the position: name the step instead. */
    private String stepOf(String message) {
      if (message != null && message.startsWith("job ")) {
        try {
          int n = Integer.parseInt(message.substring(4, message.indexOf(' ', 4)));
          return "step '" + steps.get(n - 1).name() + "': ";
        } catch (RuntimeException ignored) {
          // fall through
        }
      }
      return steps.size() == 1 ? "step '" + steps.get(0).name() + "': " : "";
    }

    /** Kahn's algorithm; a step left over is on a cycle, which the message follows. */
    private void requireAcyclic(List<List<Integer>> after) {
      int n = after.size();
      int[] pending = new int[n];
      Map<Integer, List<Integer>> dependents = new HashMap<>();
      for (int i = 0; i < n; i++) {
        pending[i] = after.get(i).size();
        for (int d : after.get(i)) {
          dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(i);
        }
      }
      Deque<Integer> ready = new ArrayDeque<>();
      for (int i = 0; i < n; i++) {
        if (pending[i] == 0) {
          ready.add(i);
        }
      }
      int seen = 0;
      while (!ready.isEmpty()) {
        int i = ready.poll();
        seen++;
        for (int d : dependents.getOrDefault(i, List.of())) {
          if (--pending[d] == 0) {
            ready.add(d);
          }
        }
      }
      if (seen == n) {
        return;
      }
      // Walk back along unfinished dependencies from a step on or behind a cycle until one repeats.
      int start = 0;
      while (pending[start] == 0) {
        start++;
      }
      List<Integer> path = new ArrayList<>();
      int at = start;
      while (!path.contains(at)) {
        path.add(at);
        for (int d : after.get(at)) {
          if (pending[d] > 0) {
            at = d;
            break;
          }
        }
      }
      // The cycle in dependency order (a step before the one that waits for it), from its
      // first-declared step.
      List<Integer> loop = new ArrayList<>(path.subList(path.indexOf(at), path.size()));
      java.util.Collections.reverse(loop);
      int first = loop.indexOf(java.util.Collections.min(loop));
      java.util.Collections.rotate(loop, -first);
      List<String> cycle = new ArrayList<>();
      loop.forEach(i -> cycle.add(steps.get(i).name()));
      cycle.add(cycle.get(0));
      throw new IllegalArgumentException(
          "workflow '" + name + "' has a cycle: " + String.join(" -> ", cycle));
    }
  }

  /**
   * A workflow's id, as {@code GET /api/workflows/{id}} takes it.
   *
   * @param value a positive number
   */
  public record WorkflowId(long value) {
    /** Checks that the id is positive. */
    public WorkflowId {
      if (value <= 0) {
        throw new IllegalArgumentException("a workflow id is a positive number, got " + value);
      }
    }

    /**
     * Parses an id as typed by a user.
     *
     * @param text the id as typed
     * @return the id
     * @throws IllegalArgumentException if {@code text} is not a positive number
     */
    public static WorkflowId parse(String text) {
      try {
        return new WorkflowId(Long.parseLong(text.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "a workflow id is a positive number, got '" + text + "'", e);
      }
    }

    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  /**
   * A workflow step's dependencies and options: {@code step("report", kind, args, after("sync"))}.
   * Immutable: each method returns a copy.
   *
   * @param after the names of the steps it waits for
   * @param onFailure what it does when a dependency ends dead or cancelled (default cancel)
   * @param queue its queue, or null for the kind's
   * @param priority its priority, or null for the kind's
   */
  public record StepOptions(
      List<String> after, OnFailure onFailure, @Nullable String queue, @Nullable Integer priority) {
    /** Validates the queue and priority; no dependencies when null, cancel on failure when null. */
    public StepOptions {
      after = after == null ? List.of() : List.copyOf(after);
      onFailure = onFailure == null ? OnFailure.CANCEL : onFailure;
      Validate.optionalJobOptions(queue, priority, /* maxAttempts= */ null);
    }

    /** {@return no dependencies, default options} */
    public static StepOptions none() {
      return new StepOptions(List.of(), OnFailure.CANCEL, null, null);
    }

    /**
     * Waits for the named steps.
     *
     * @param steps the steps' names ({@code "sync/*"} for a group)
     * @return the options
     */
    public static StepOptions after(String... steps) {
      for (String s : steps) {
        Objects.requireNonNull(s, "step name");
      }
      return new StepOptions(List.of(steps), OnFailure.CANCEL, null, null);
    }

    /**
     * Sets what the step does when a dependency fails.
     *
     * @param onFailure cancel (the default) or continue
     * @return a copy with that policy
     */
    public StepOptions onFailure(OnFailure onFailure) {
      return new StepOptions(after, onFailure, queue, priority);
    }

    /**
     * Sets the step's queue.
     *
     * @param queue the queue
     * @return a copy with that queue
     */
    public StepOptions queue(String queue) {
      return new StepOptions(after, onFailure, queue, priority);
    }

    /**
     * Sets the step's priority.
     *
     * @param priority 0 (runs first) to 9
     * @return a copy with that priority
     */
    public StepOptions priority(int priority) {
      return new StepOptions(after, onFailure, queue, priority);
    }
  }

  /** What a workflow step does when one of its dependencies ends dead or cancelled. */
  public enum OnFailure {
    /** The step is cancelled, and so are its own dependents that cancel (the default). */
    CANCEL,
    /** The step runs anyway once every dependency has ended (e.g. a notification either way). */
    CONTINUE;

    /** {@return the name in JSON and on the command line: {@code cancel} or {@code continue}} */
    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name.
     *
     * @param name {@code cancel} or {@code continue}
     * @return the policy
     * @throws IllegalArgumentException naming the valid policies
     */
    @JsonCreator
    public static OnFailure fromWire(String name) {
      return Validate.fromWire(
          values(), name, () -> "onFailure must be cancel or continue, got '" + name + "'");
    }
  }

  /**
   * A workflow's progress as a whole, as {@code GET /api/workflows/{id}} shows it under {@code
   * progress}.
   *
   * <p>Each step weighs its kind's median duration over the last day ({@code weights: "durations"};
   * a step whose kind has no recent run weighs the mean of the others), or, when none of the
   * workflow's kinds has one, the same as every other step ({@code "equal"}). A step counts its own
   * progress, 100 once it ended. The time left is, with durations, the longest chain of what
   * remains of each step (its median less the part done, or its own estimate while it runs) along
   * the dependencies, as if every step that can run ran at once; with equal weights, the time so
   * far scaled by the part left.
   *
   * @param percent 0 to 100
   * @param eta estimated seconds left, 0 once it ended, or null when there is nothing to go on yet
   * @param weights {@code durations} or {@code equal}
   */
  public record WorkflowProgress(double percent, @Nullable Double eta, String weights) {

    static WorkflowProgress of(
        List<Workflow.Step> steps,
        Map<String, Double> medianMs,
        Instant createdAt,
        Instant now,
        boolean ended) {
      if (steps.isEmpty()) {
        return new WorkflowProgress(100, 0.0, "equal");
      }
      double known = 0;
      int knownCount = 0;
      for (Workflow.Step s : steps) {
        Double m = medianMs.get(s.kind());
        if (m != null) {
          known += m;
          knownCount++;
        }
      }
      boolean byDuration = knownCount > 0;
      double fallback = byDuration ? known / knownCount : 1;
      Map<String, Double> weight = new HashMap<>();
      Map<String, Workflow.Step> byName = new HashMap<>();
      double sum = 0;
      double total = 0;
      for (Workflow.Step s : steps) {
        double w = byDuration ? medianMs.getOrDefault(s.kind(), fallback) : 1;
        weight.put(s.name(), w);
        byName.put(s.name(), s);
        sum += w * done(s) / 100;
        total += w;
      }
      double percent = Math.round(sum / total * 1000) / 10.0;
      if (ended) {
        return new WorkflowProgress(100, 0.0, byDuration ? "durations" : "equal");
      }
      Double eta;
      if (byDuration) {
        Map<String, Double> finish = new HashMap<>();
        double longest = 0;
        for (Workflow.Step s : steps) {
          longest = Math.max(longest, finishMs(s, byName, weight, finish));
        }
        eta = Math.round(longest / 100) / 10.0;
      } else if (percent > 0) {
        double elapsed = Math.max(0, Duration.between(createdAt, now).toMillis());
        eta = Math.round(elapsed * (100 - percent) / percent / 100) / 10.0;
      } else {
        eta = null;
      }
      return new WorkflowProgress(percent, eta, byDuration ? "durations" : "equal");
    }

    private static double done(Workflow.Step s) {
      if (s.state().isFinal()) {
        return 100;
      }
      return s.progress() == null ? 0 : Math.max(0, Math.min(100, s.progress().percent()));
    }

    /** Milliseconds from now until {@code s} is expected to end: after its dependencies end. */
    private static double finishMs(
        Workflow.Step s,
        Map<String, Workflow.Step> byName,
        Map<String, Double> weight,
        Map<String, Double> finish) {
      Double known = finish.get(s.name());
      if (known != null) {
        return known;
      }
      // Guards against a malformed graph; a stored workflow has no cycle.
      finish.put(s.name(), 0.0);
      double start = 0;
      for (String dep : s.after()) {
        Workflow.Step d = byName.get(dep);
        if (d != null) {
          start = Math.max(start, finishMs(d, byName, weight, finish));
        }
      }
      Progress reported = s.progress();
      Double ownEta = reported == null ? null : reported.eta();
      double left;
      if (s.state().isFinal()) {
        left = 0;
      } else if (ownEta != null) {
        left = ownEta * 1000;
      } else {
        left = weight.getOrDefault(s.name(), 1.0) * (100 - done(s)) / 100;
      }
      double end = start + left;
      finish.put(s.name(), end);
      return end;
    }
  }

  /**
   * Enqueues many jobs as one batch, with a job that runs once when every job of the batch has
   * ended ({@code onComplete}) or succeeded ({@code onSuccess}), from {@link
   * Offload#batch(String)}:
   *
   * <pre>{@code
   * WorkflowId batch = offload.batch("import-2026-11")
   *     .onComplete("import.report", new ReportArgs("2026-11"))
   *     .onSuccess("import.publish", null)
   *     .enqueueAll(requests);
   * }</pre>
   *
   * The callback's args (a JSON object, or null) get the batch's counts when it is released, under
   * {@code "batch"}: {@code {"id", "total", "succeeded", "dead", "cancelled"}}; a record with a
   * {@code batch} component reads them. {@code onSuccess} is cancelled when a job of the batch ends
   * dead or cancelled; {@code onComplete} runs either way.
   *
   * <p>A batch is a workflow (its jobs are the steps {@code job-1} to {@code job-N}, the callbacks
   * {@code onComplete} and {@code onSuccess}): {@link Offload#workflow(WorkflowId)}, {@code GET
   * /api/workflows/{id}} and {@code offload workflow ID} show it, and the callback is released in
   * the transaction that ends the last job, so it runs once even when the last two jobs end on two
   * nodes at the same moment. The batch's jobs take their kind's options, their queue and priority;
   * run times, idempotency, concurrency and unique keys are not for batch jobs.
   *
   * <p>Not thread-safe; build one per batch.
   */
  public static final class BatchBuilder {
    private final String name;
    private final Store store;
    private final Function<List<JobRequest>, List<JobInsert>> validate;
    private final InstantSource clock;
    private @Nullable JobRequest onComplete;
    private @Nullable JobRequest onSuccess;

    BatchBuilder(
        String name,
        Store store,
        Function<List<JobRequest>, List<JobInsert>> validate,
        InstantSource clock) {
      this.name = requireName("batch", name);
      this.store = store;
      this.validate = validate;
      this.clock = clock;
    }

    /**
     * The job that runs once every job of the batch has ended, however it ended.
     *
     * @param kind its kind
     * @param args its args, into which the batch's counts are merged
     * @return this builder
     */
    public BatchBuilder onComplete(String kind, @Nullable Object args) {
      this.onComplete = JobRequest.of(kind, args);
      return this;
    }

    /**
     * The job that runs once every job of the batch has succeeded (cancelled if one did not).
     *
     * @param kind its kind
     * @param args its args, into which the batch's counts are merged
     * @return this builder
     */
    public BatchBuilder onSuccess(String kind, @Nullable Object args) {
      this.onSuccess = JobRequest.of(kind, args);
      return this;
    }

    /**
     * Enqueues the jobs and the callbacks in one transaction; nothing is written when it throws.
     *
     * @param requests the batch's jobs
     * @return the batch (a workflow)
     * @throws IllegalArgumentException naming the job at fault (an unknown kind, bad args, an
     *     option batches do not take), or when there are no jobs or no callback
     */
    public WorkflowId enqueueAll(List<JobRequest> requests) {
      Objects.requireNonNull(requests, "requests");
      if (requests.isEmpty()) {
        throw new IllegalArgumentException("batch '" + name + "' has no jobs");
      }
      if (onComplete == null && onSuccess == null) {
        throw new IllegalArgumentException(
            "batch '"
                + name
                + "' has neither onComplete nor onSuccess: use enqueueAll without one");
      }
      List<JobRequest> all = new ArrayList<>(requests);
      if (onComplete != null) {
        all.add(onComplete);
      }
      if (onSuccess != null) {
        all.add(onSuccess);
      }
      List<JobInsert> jobs = validate.apply(all);
      List<WorkflowInsert.Step> steps = new ArrayList<>();
      List<Integer> everyJob = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        JobInsert j = jobs.get(i);
        if (j.idempotencyKey() != null || j.concurrencyKey() != null || j.uniqueKey() != null) {
          throw new IllegalArgumentException(
              "job "
                  + (i + 1)
                  + " of batch '"
                  + name
                  + "': batch jobs take no idempotency, concurrency or unique key");
        }
        if (j.state() != JobState.AVAILABLE) {
          throw new IllegalArgumentException(
              "job " + (i + 1) + " of batch '" + name + "': batch jobs take no run time or delay");
        }
        steps.add(new WorkflowInsert.Step("job-" + (i + 1), j, List.of(), "cancel", List.of()));
        everyJob.add(i);
      }
      int at = requests.size();
      if (onComplete != null) {
        steps.add(callback("onComplete", jobs.get(at++), everyJob, OnFailure.CONTINUE));
      }
      if (onSuccess != null) {
        steps.add(callback("onSuccess", jobs.get(at), everyJob, OnFailure.CANCEL));
      }
      return new WorkflowId(
          store.workflowInsert(
              new WorkflowInsert(name, clock.instant(), steps, /* batch= */ true)));
    }

    private WorkflowInsert.Step callback(
        String step, JobInsert job, List<Integer> after, OnFailure onFailure) {
      String args = job.argsJson() == null ? "null" : job.argsJson().strip();
      if (!args.equals("null") && !args.startsWith("{")) {
        throw new IllegalArgumentException(
            step
                + " of batch '"
                + name
                + "': args must be a JSON object or null (the batch's counts are added to it), got "
                + (args.length() > 40 ? args.substring(0, 40) + "..." : args));
      }
      return new WorkflowInsert.Step(step, job, after, onFailure.wireName(), List.of());
    }
  }
}
