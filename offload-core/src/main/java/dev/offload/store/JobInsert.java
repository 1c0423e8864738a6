package dev.offload.store;

import dev.offload.JobState;
import java.time.Instant;
import java.util.Objects;

/**
 * A job to insert; validated by the engine before it reaches a store. A follow-up job for failed
 * items names its parent and the item keys to retry. A job with an idempotency key that a stored
 * job already has is not inserted: the store returns the stored job's id in its place.
 *
 * <p>A job with a {@code uniqueKey} is not inserted while a job with that key is scheduled,
 * available, running or retrying, nor when one finished after {@code uniqueFinishedAfter} (when
 * set); the store returns that job's id instead, and with {@code replaceDuplicate} first gives a
 * duplicate that has not started yet this job's args, run time and priority (debounce). The
 * {@code concurrencyKey} groups jobs for a queue's per-key limit and rate.
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
    String concurrencyKey,
    String uniqueKey,
    Instant uniqueFinishedAfter,
    boolean replaceDuplicate) {
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

  /** A job without flow-control keys. */
  public JobInsert(String kind, String queue, int priority, String argsJson, int maxAttempts, JobState state,
      Instant runAt, Instant createdAt, Long parentId, String retryItemsJson, String idempotencyKey) {
    this(kind, queue, priority, argsJson, maxAttempts, state, runAt, createdAt, parentId, retryItemsJson, idempotencyKey,
        null, null, null, false);
  }

  /** A job with no parent. */
  public JobInsert(String kind, String queue, int priority, String argsJson, int maxAttempts, JobState state,
      Instant runAt, Instant createdAt) {
    this(kind, queue, priority, argsJson, maxAttempts, state, runAt, createdAt, null, null, null);
  }
}
