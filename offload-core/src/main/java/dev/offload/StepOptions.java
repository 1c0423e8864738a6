package dev.offload;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

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
  public StepOptions {
    after = after == null ? List.of() : List.copyOf(after);
    onFailure = onFailure == null ? OnFailure.CANCEL : onFailure;
    if (queue != null) {
      Validate.queueName(queue);
    }
    if (priority != null) {
      Validate.priority(priority);
    }
  }

  /** No dependencies, default options. */
  public static StepOptions none() {
    return new StepOptions(List.of(), OnFailure.CANCEL, null, null);
  }

  /** Waits for the named steps. */
  public static StepOptions after(String... steps) {
    for (String s : steps) {
      Objects.requireNonNull(s, "step name");
    }
    return new StepOptions(List.of(steps), OnFailure.CANCEL, null, null);
  }

  public StepOptions onFailure(OnFailure onFailure) {
    return new StepOptions(after, onFailure, queue, priority);
  }

  public StepOptions queue(String queue) {
    return new StepOptions(after, onFailure, queue, priority);
  }

  public StepOptions priority(int priority) {
    return new StepOptions(after, onFailure, queue, priority);
  }
}
