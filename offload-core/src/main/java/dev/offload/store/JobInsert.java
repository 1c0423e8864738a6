package dev.offload.store;

import dev.offload.JobState;
import java.time.Instant;
import java.util.Objects;

/**
 * A job to insert; validated by the engine before it reaches a store. A follow-up job for failed
 * items names its parent and the item keys to retry. A job with an idempotency key that a stored
 * job already has is not inserted: the store returns the stored job's id in its place. A job made by
 * a schedule names it, its {@code runAt} being the tick.
 */
public record JobInsert(
    String kind,
    String queue,
    int priority,
    String argsJson,
    int maxAttempts,
    JobState state,
    Instant runAt,
    Instant createdAt,
    Long parentId,
    String retryItemsJson,
    String idempotencyKey,
    String schedule) {
  public JobInsert {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(argsJson, "argsJson");
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(createdAt, "createdAt");
    if (state != JobState.AVAILABLE && state != JobState.SCHEDULED) {
      throw new IllegalArgumentException("a new job is available or scheduled, not " + state);
    }
  }

  /** A job with no parent. */
  public JobInsert(String kind, String queue, int priority, String argsJson, int maxAttempts, JobState state,
      Instant runAt, Instant createdAt) {
    this(kind, queue, priority, argsJson, maxAttempts, state, runAt, createdAt, null, null, null, null);
  }

  /** A job without a schedule. */
  public JobInsert(String kind, String queue, int priority, String argsJson, int maxAttempts, JobState state,
      Instant runAt, Instant createdAt, Long parentId, String retryItemsJson, String idempotencyKey) {
    this(kind, queue, priority, argsJson, maxAttempts, state, runAt, createdAt, parentId, retryItemsJson, idempotencyKey, null);
  }
}
