package dev.offload;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.offload.internal.Json;
import java.util.Optional;

/**
 * What {@link Offload#runOrDefer} came back with: the job as it was when the call returned, and
 * whether it had finished within the budget. A job that did not finish keeps running in the
 * background; follow it by its id.
 *
 * @param job the job when the call returned
 * @param finished whether the job reached a final state (succeeded, dead or cancelled) in time
 */
public record Outcome(Job job, boolean finished) {

  public JobId id() {
    return job.id();
  }

  public boolean succeeded() {
    return job.state() == JobState.SUCCEEDED;
  }

  /**
   * The job's result read as {@code type}, when it succeeded in time.
   *
   * @throws IllegalArgumentException if the result cannot be read as {@code type}
   */
  public <T> Optional<T> result(Class<T> type) {
    if (!succeeded() || job.result() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.MAPPER.treeToValue(job.result(), type));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the result of job " + job.id() + " is not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
