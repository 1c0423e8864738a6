package dev.offload.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A workflow to insert in one transaction: its row, one job per step, and the dependencies. A step
 * with dependencies is stored {@code waiting}; one without is stored in its job's state.
 *
 * @param steps in an order where every step comes after the steps it depends on
 * @param batch whether it is a batch: its steps with dependencies (the {@code onComplete} and
 *     {@code onSuccess} callbacks) get the batch's counts in their args when they are released
 */
public record WorkflowInsert(String name, Instant createdAt, List<Step> steps, boolean batch) {
  public WorkflowInsert {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
    steps = List.copyOf(steps);
  }

  public WorkflowInsert(String name, Instant createdAt, List<Step> steps) {
    this(name, createdAt, steps, false);
  }

  /**
   * One step.
   *
   * @param after the positions in {@link #steps} of the steps it waits for (all before it)
   * @param onFailure {@code cancel} or {@code continue}
   * @param groups the names of steps whose added steps ({@code "sync/*"}: every step added under
   *     {@code sync}, now or later) it also waits for; each is in {@code after} too
   */
  public record Step(
      String name, JobInsert job, List<Integer> after, String onFailure, List<String> groups) {
    public Step {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(job, "job");
      after = List.copyOf(after);
      Objects.requireNonNull(onFailure, "onFailure");
      groups = List.copyOf(groups);
    }

    public Step(String name, JobInsert job, List<Integer> after, String onFailure) {
      this(name, job, after, onFailure, List.of());
    }
  }

  /**
   * A step that a running step adds to its own workflow ({@link Store#workflowAddSteps}).
   *
   * @param name its name under the adding step: {@code page-3} added by {@code sync} is {@code
   *     sync/page-3}
   * @param after the full names of existing steps it waits for
   * @param groups the full names of steps whose added steps it also waits for
   */
  public record Added(
      String name, JobInsert job, List<String> after, List<String> groups, String onFailure) {
    public Added {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(job, "job");
      after = List.copyOf(after);
      groups = List.copyOf(groups);
      Objects.requireNonNull(onFailure, "onFailure");
    }
  }
}
