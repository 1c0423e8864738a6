package dev.offload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.offload.store.WorkflowRecord;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
  public Workflow {
    steps = List.copyOf(steps);
  }

  /** A workflow's state, computed from its steps. */
  public enum State {
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

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
}
