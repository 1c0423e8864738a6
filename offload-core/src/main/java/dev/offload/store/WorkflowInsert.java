package dev.offload.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A workflow to insert in one transaction: its row, one job per step, and the dependencies. A step
 * with dependencies is stored {@code waiting}; one without is stored in its job's state.
 *
 * @param steps in an order where every step comes after the steps it depends on
 */
public record WorkflowInsert(String name, Instant createdAt, List<Step> steps) {
  public WorkflowInsert {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
    steps = List.copyOf(steps);
  }

  /**
   * One step.
   *
   * @param after the positions in {@link #steps} of the steps it waits for (all before it)
   * @param onFailure {@code cancel} or {@code continue}
   */
  public record Step(String name, JobInsert job, List<Integer> after, String onFailure) {
    public Step {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(job, "job");
      after = List.copyOf(after);
      Objects.requireNonNull(onFailure, "onFailure");
    }
  }
}
