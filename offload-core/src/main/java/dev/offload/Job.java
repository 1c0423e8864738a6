package dev.offload;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A job as stored, read with {@link Offload#job}. Its JSON form is the document of {@code GET
 * /api/jobs/{id}} and {@code offload status --json}.
 *
 * @param id the job's id
 * @param kind what runs it
 * @param queue the queue it waits in
 * @param state where it is in its lifecycle
 * @param priority 0 runs first, 9 last
 * @param args the args as JSON; a {@link MissingNode} (absent from the JSON document) when a
 *     listing left them out ({@link JobQuery#fields})
 * @param attempt attempts started so far
 * @param maxAttempts attempts allowed in all
 * @param runAt when it may run (next)
 * @param createdAt when it was enqueued
 * @param startedAt when the handler of its latest attempt started; null before, and while the job
 *     is claimed by a node but held for a free slot (running, not started)
 * @param finishedAt when it reached a final state, or null
 * @param node the node running it (or that ran its latest attempt), or null
 * @param errors every failed attempt's error, oldest first
 * @param result the handler's result, or null; a {@link MissingNode} (absent from the JSON
 *     document) when a listing left it out
 * @param progress the latest reported progress, or null
 * @param checkpoint the latest checkpoint, or null
 * @param failedItems items that failed without failing the job, or null when none did
 * @param parentId the job this one retries the failed items of, or null
 * @param schedule the schedule that made this job (its {@code runAt} is the tick), or null
 * @param workflowId the workflow this job is a step of, or null
 * @param step its step name in that workflow, or null
 * @param concurrencyKey the key its queue's per-key limit and rate count it under, or null
 * @param uniqueKey the key that keeps it unique while it is pending or running, or null
 * @param waiting why a job that is due does not start, e.g. {@code waiting: key tenant:42 at its
 *     limit of 1}; null when nothing holds it back (or when not looked up)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Job(
    JobId id,
    String kind,
    String queue,
    JobState state,
    int priority,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = LeftOut.class) JsonNode args,
    int attempt,
    int maxAttempts,
    Instant runAt,
    Instant createdAt,
    @Nullable Instant startedAt,
    @Nullable Instant finishedAt,
    @Nullable String node,
    List<JobError> errors,
    @Nullable @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = LeftOut.class)
        JsonNode result,
    @Nullable Progress progress,
    @Nullable JsonNode checkpoint,
    @Nullable FailedItems failedItems,
    @Nullable JobId parentId,
    @Nullable String schedule,
    @Nullable Long workflowId,
    @Nullable String step,
    @Nullable String concurrencyKey,
    @Nullable String uniqueKey,
    @Nullable String waiting) {

  public Job {
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /** A job without flow-control keys. */
  public Job(
      JobId id,
      String kind,
      String queue,
      JobState state,
      int priority,
      JsonNode args,
      int attempt,
      int maxAttempts,
      Instant runAt,
      Instant createdAt,
      Instant startedAt,
      Instant finishedAt,
      String node,
      List<JobError> errors,
      JsonNode result,
      Progress progress,
      JsonNode checkpoint,
      FailedItems failedItems,
      JobId parentId,
      String schedule,
      Long workflowId,
      String step) {
    this(
        id,
        kind,
        queue,
        state,
        priority,
        args,
        attempt,
        maxAttempts,
        runAt,
        createdAt,
        startedAt,
        finishedAt,
        node,
        errors,
        result,
        progress,
        checkpoint,
        failedItems,
        parentId,
        schedule,
        workflowId,
        step,
        null,
        null,
        null);
  }

  /** This job with the reason it waits. */
  public Job withWaiting(@Nullable String waiting) {
    return new Job(
        id,
        kind,
        queue,
        state,
        priority,
        args,
        attempt,
        maxAttempts,
        runAt,
        createdAt,
        startedAt,
        finishedAt,
        node,
        errors,
        result,
        progress,
        checkpoint,
        failedItems,
        parentId,
        schedule,
        workflowId,
        step,
        concurrencyKey,
        uniqueKey,
        waiting);
  }

  /**
   * Jackson's filter for {@code args} and {@code result}: a value left out is not written at all.
   */
  static final class LeftOut {
    @Override
    public boolean equals(Object value) {
      return value instanceof MissingNode;
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }
}
