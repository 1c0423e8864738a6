package dev.offload.store;

import dev.offload.JobState;
import java.time.Instant;
import java.util.List;

/**
 * A stored workflow and its steps, in insertion order.
 *
 * @param cancelledAt when a user cancelled it, or null
 */
public record WorkflowRecord(
    long id, String name, Instant createdAt, Instant cancelledAt, List<Step> steps) {
  public WorkflowRecord {
    steps = List.copyOf(steps);
  }

  /** A step: its job's id, state and times, and the names of the steps it waits for. */
  public record Step(
      long jobId,
      String name,
      String kind,
      JobState state,
      List<String> after,
      String onFailure,
      Instant startedAt,
      Instant finishedAt,
      String progressJson) {
    public Step {
      after = List.copyOf(after);
    }
  }
}
