package dev.offload;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Per-job options at enqueue; each unset field falls back to the kind's {@link JobOptions}.
 * Immutable: each method returns a copy.
 *
 * @param queue the queue, or null for the kind's queue
 * @param priority 0 (runs first) to 9, or null for the kind's priority
 * @param runAt when the job may run first, or null for now
 * @param delay how long from now until the job may run, or null; exclusive with runAt
 * @param maxAttempts or null for the kind's
 * @param unknownKindAllowed queue the job even when no node knows its kind yet
 * @param idempotencyKey enqueueing again with the same key returns the first job instead of a
 *     new one (for as long as that job is kept), or null
 */
public record EnqueueOptions(
    @Nullable String queue,
    @Nullable Integer priority,
    @Nullable Instant runAt,
    @Nullable Duration delay,
    @Nullable Integer maxAttempts,
    boolean unknownKindAllowed,
    @Nullable String idempotencyKey) {

  private static final EnqueueOptions NONE = new EnqueueOptions(null, null, null, null, null, false, null);

  public EnqueueOptions {
    if (queue != null) {
      Validate.queueName(queue);
    }
    if (priority != null) {
      Validate.priority(priority);
    }
    if (maxAttempts != null) {
      Validate.maxAttempts(maxAttempts);
    }
    if (runAt != null && delay != null) {
      throw new IllegalArgumentException("give runAt or delay, not both");
    }
    if (delay != null && delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
      throw new IllegalArgumentException("idempotency key must be 1-255 characters, got " + idempotencyKey.length());
    }
  }

  public static EnqueueOptions none() {
    return NONE;
  }

  public EnqueueOptions queue(String queue) {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, unknownKindAllowed, idempotencyKey);
  }

  public EnqueueOptions priority(int priority) {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, unknownKindAllowed, idempotencyKey);
  }

  public EnqueueOptions runAt(Instant runAt) {
    return new EnqueueOptions(queue, priority, runAt, null, maxAttempts, unknownKindAllowed, idempotencyKey);
  }

  public EnqueueOptions delay(Duration delay) {
    return new EnqueueOptions(queue, priority, null, delay, maxAttempts, unknownKindAllowed, idempotencyKey);
  }

  public EnqueueOptions maxAttempts(int maxAttempts) {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, unknownKindAllowed, idempotencyKey);
  }

  public EnqueueOptions idempotencyKey(String idempotencyKey) {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, unknownKindAllowed, idempotencyKey);
  }

  public EnqueueOptions allowUnknownKind() {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, true, idempotencyKey);
  }
}
