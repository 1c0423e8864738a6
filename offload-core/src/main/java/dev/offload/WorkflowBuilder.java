package dev.offload;

import dev.offload.store.JobInsert;
import dev.offload.store.Store;
import dev.offload.store.WorkflowInsert;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

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
public final class WorkflowBuilder {
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
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException(
          "a workflow's name must be 1-200 characters, got "
              + (name == null ? "null" : "'" + name + "'"));
    }
    this.name = name;
    this.store = store;
    this.validate = validate;
    this.clock = clock;
    this.afterEnqueue = afterEnqueue;
  }

  /** A step with no dependencies. */
  public WorkflowBuilder step(String name, String kind, @Nullable Object args) {
    return step(name, kind, args, StepOptions.none());
  }

  /** A step with dependencies and options: {@code step("report", kind, args, after("sync"))}. */
  public WorkflowBuilder step(
      String name, String kind, @Nullable Object args, StepOptions options) {
    steps.add(new Step(name, kind, args, Objects.requireNonNull(options, "options")));
    return this;
  }

  /**
   * Enqueues the steps even when no worker has announced their kinds yet, as {@link
   * EnqueueOptions#allowUnknownKind()} does for one job.
   */
  public WorkflowBuilder allowUnknownKinds() {
    this.allowUnknownKinds = true;
    return this;
  }

  /**
   * Validates the graph and enqueues every step in one transaction; nothing is written when it is
   * refused.
   *
   * @throws IllegalArgumentException naming the step at fault: a duplicate name, a dependency on a
   *     missing step, a cycle, an unknown kind or bad args
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
    return new WorkflowInsert(name, clock.instant(), out);
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
