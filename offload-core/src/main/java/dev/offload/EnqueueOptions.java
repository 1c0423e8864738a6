package dev.offload;

import dev.offload.Job.JobId;
import dev.offload.OffloadException.InvalidJobException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Per-job options at enqueue; each unset field falls back to the kind's {@link JobOptions}.
 * Immutable: each method returns a copy.
 *
 * @param queue the queue, or null for the kind's queue
 * @param priority 0 (runs first) to 9, or null for the kind's priority
 * @param runAt when the job may run first, or null for now; from {@link #EARLIEST_RUN_AT} to {@link
 *     #LATEST_RUN_AT}, the range both stores keep exactly
 * @param delay how long from now until the job may run, or null; exclusive with runAt; now plus the
 *     delay must not pass {@link #LATEST_RUN_AT}
 * @param maxAttempts or null for the kind's
 * @param unknownKindAllowed queue the job even when no node knows its kind yet
 * @param idempotencyKey enqueueing again with the same key returns the first job instead of a new
 *     one (for as long as that job is kept), or null; 1-255 characters, no control characters
 * @param concurrencyKey groups jobs for the queue's per-key limit and rate (e.g. {@code
 *     tenant:42}), or null
 * @param uniqueKey while a job with this key is scheduled, available, running or retrying,
 *     enqueueing another returns that job instead, or null
 * @param uniqueFor with a unique key, also return a job with the key that finished within this
 *     long, or null
 * @param replaceDuplicate with a unique key, give a duplicate that has not started yet this job's
 *     args, run time and priority (debounce) before returning it
 */
public record EnqueueOptions(
    @Nullable String queue,
    @Nullable Integer priority,
    @Nullable Instant runAt,
    @Nullable Duration delay,
    @Nullable Integer maxAttempts,
    boolean unknownKindAllowed,
    @Nullable String idempotencyKey,
    @Nullable String concurrencyKey,
    @Nullable String uniqueKey,
    @Nullable Duration uniqueFor,
    boolean replaceDuplicate) {

  /** The earliest {@code runAt}: 0001-01-01T00:00:00Z. */
  public static final Instant EARLIEST_RUN_AT = Instant.parse("0001-01-01T00:00:00Z");

  /** The latest {@code runAt}: 9999-12-31T23:59:59.999Z (SQLite keeps milliseconds). */
  public static final Instant LATEST_RUN_AT = Instant.parse("9999-12-31T23:59:59.999Z");

  private static final Duration MAX_DELAY = Duration.between(EARLIEST_RUN_AT, LATEST_RUN_AT);

  private static final EnqueueOptions NONE =
      new EnqueueOptions(null, null, null, null, null, false, null, null, null, null, false);

  /**
   * Validates the options.
   *
   * @throws InvalidJobException naming the field when a value is out of range
   */
  public EnqueueOptions {
    Validate.optionalJobOptions(queue, priority, maxAttempts);
    if (runAt != null && delay != null) {
      throw new IllegalArgumentException("give runAt or delay, not both");
    }
    if (runAt != null && (runAt.isBefore(EARLIEST_RUN_AT) || runAt.isAfter(LATEST_RUN_AT))) {
      throw InvalidJobException.invalid(
          "runAt",
          "runAt must be between " + EARLIEST_RUN_AT + " and " + LATEST_RUN_AT + ", got " + runAt);
    }
    if (delay != null && delay.isNegative()) {
      throw InvalidJobException.invalid("delay", "delay must not be negative, got " + delay);
    }
    if (delay != null && delay.compareTo(MAX_DELAY) > 0) {
      throw InvalidJobException.invalid(
          "delay", "delay must end by " + LATEST_RUN_AT + ", got " + delay.toDays() + " days");
    }
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
      throw InvalidJobException.invalid(
          "idempotencyKey",
          "idempotency key must be 1-255 characters, got " + idempotencyKey.length());
    }
    if (idempotencyKey != null && idempotencyKey.chars().anyMatch(Character::isISOControl)) {
      throw InvalidJobException.invalid(
          "idempotencyKey", "idempotency key must not hold control characters");
    }
    key("concurrencyKey", concurrencyKey);
    key("uniqueKey", uniqueKey);
    if (uniqueFor != null && (uniqueFor.isNegative() || uniqueFor.isZero())) {
      throw InvalidJobException.invalid(
          "uniqueFor", "uniqueFor must be positive, got " + uniqueFor);
    }
  }

  /**
   * Checks what only makes sense together (uniqueFor and onDuplicate need a uniqueKey); called at
   * enqueue, since options are built one method at a time in any order.
   */
  void validateCombination() {
    if (uniqueFor != null && uniqueKey == null) {
      throw InvalidJobException.invalid("uniqueFor", "uniqueFor needs a uniqueKey");
    }
    if (replaceDuplicate && uniqueKey == null) {
      throw InvalidJobException.invalid("onDuplicate", "onDuplicate replace needs a uniqueKey");
    }
  }

  private static void key(String field, @Nullable String key) {
    if (key != null && (key.isEmpty() || key.length() > 255)) {
      throw InvalidJobException.invalid(
          field, field + " must be 1-255 characters, got " + key.length());
    }
  }

  /** {@return no options: the kind's queue, priority and attempts, due now} */
  public static EnqueueOptions none() {
    return NONE;
  }

  /**
   * Sets the queue.
   *
   * @param queue the queue, instead of the kind's
   * @return a copy with that queue
   */
  public EnqueueOptions queue(String queue) {
    return with(o -> o.queue = queue);
  }

  /**
   * Sets the priority.
   *
   * @param priority 0 (runs first) to 9, instead of the kind's
   * @return a copy with that priority
   */
  public EnqueueOptions priority(int priority) {
    return with(o -> o.priority = priority);
  }

  /**
   * Sets when the job is due, in place of a delay.
   *
   * @param runAt the time, between {@link #EARLIEST_RUN_AT} and {@link #LATEST_RUN_AT}
   * @return a copy with that time and no delay
   */
  public EnqueueOptions runAt(Instant runAt) {
    return with(o -> {
      o.runAt = runAt;
      o.delay = null;
    });
  }

  /**
   * Sets how long after the enqueue the job is due, in place of a run time.
   *
   * @param delay the delay; not negative
   * @return a copy with that delay and no run time
   */
  public EnqueueOptions delay(Duration delay) {
    return with(o -> {
      o.delay = delay;
      o.runAt = null;
    });
  }

  /**
   * Sets how many attempts the job may use.
   *
   * @param maxAttempts at least 1, instead of the kind's
   * @return a copy with that number
   */
  public EnqueueOptions maxAttempts(int maxAttempts) {
    return with(o -> o.maxAttempts = maxAttempts);
  }

  /**
   * Sets the idempotency key: enqueueing again with it returns the first job.
   *
   * @param idempotencyKey 1-255 characters, no control characters
   * @return a copy with that key
   */
  public EnqueueOptions idempotencyKey(String idempotencyKey) {
    return with(o -> o.idempotencyKey = idempotencyKey);
  }

  /** {@return a copy that queues the job even when no node knows its kind yet} */
  public EnqueueOptions allowUnknownKind() {
    return with(o -> o.unknownKindAllowed = true);
  }

  /**
   * Groups the job for its queue's per-key limit and rate, e.g. {@code tenant:42}; 1-255
   * characters.
   *
   * @param concurrencyKey the key
   * @return a copy with that key
   */
  public EnqueueOptions concurrencyKey(String concurrencyKey) {
    return with(o -> o.concurrencyKey = concurrencyKey);
  }

  /**
   * At most one job with this key pending or running; a duplicate enqueue returns it. 1-255
   * characters.
   *
   * @param uniqueKey the key
   * @return a copy with that key
   */
  public EnqueueOptions uniqueKey(String uniqueKey) {
    return with(o -> o.uniqueKey = uniqueKey);
  }

  /**
   * With {@link #uniqueKey}: a job with the key that finished within {@code uniqueFor} also counts.
   *
   * @param uniqueFor how long after a job finished its key still counts
   * @return a copy with that period
   */
  public EnqueueOptions uniqueFor(Duration uniqueFor) {
    return with(o -> o.uniqueFor = uniqueFor);
  }

  /**
   * With {@link #uniqueKey}: a duplicate that has not started yet takes this job's args, run time
   * and priority (debounce: "re-index 5 s after the last edit" is {@code delay(5s)} with replace).
   *
   * @return a copy that replaces a pending duplicate
   */
  public EnqueueOptions onDuplicateReplace() {
    return with(o -> o.replaceDuplicate = true);
  }

  /** A copy of these options with {@code change} applied; the copy is validated as new. */
  private EnqueueOptions with(Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return d.build();
  }

  /** A mutable copy of the options, so that each method names only the field it sets. */
  private static final class Draft {
    @Nullable String queue;
    @Nullable Integer priority;
    @Nullable Instant runAt;
    @Nullable Duration delay;
    @Nullable Integer maxAttempts;
    boolean unknownKindAllowed;
    @Nullable String idempotencyKey;
    @Nullable String concurrencyKey;
    @Nullable String uniqueKey;
    @Nullable Duration uniqueFor;
    boolean replaceDuplicate;

    Draft(EnqueueOptions o) {
      queue = o.queue;
      priority = o.priority;
      runAt = o.runAt;
      delay = o.delay;
      maxAttempts = o.maxAttempts;
      unknownKindAllowed = o.unknownKindAllowed;
      idempotencyKey = o.idempotencyKey;
      concurrencyKey = o.concurrencyKey;
      uniqueKey = o.uniqueKey;
      uniqueFor = o.uniqueFor;
      replaceDuplicate = o.replaceDuplicate;
    }

    EnqueueOptions build() {
      return new EnqueueOptions(
          queue,
          priority,
          runAt,
          delay,
          maxAttempts,
          unknownKindAllowed,
          idempotencyKey,
          concurrencyKey,
          uniqueKey,
          uniqueFor,
          replaceDuplicate);
    }
  }

  /**
   * One job to enqueue with {@link Offload#enqueueAll}: a kind, its args (any value Jackson can
   * write, or a {@code JsonNode}) and options.
   *
   * @param kind the job's kind
   * @param args its args, or null
   * @param options its options
   */
  public record JobRequest(String kind, @Nullable Object args, EnqueueOptions options) {
    /**
     * How deep args may nest: {@code {"a": [1]}} is 2 deep. Deeper args are refused at enqueue
     * ({@link InvalidJobException}), so no job document becomes too deep to write.
     */
    public static final int MAX_ARGS_DEPTH = 64;

    /** Checks the kind and the options' combination. */
    public JobRequest {
      Validate.kind(kind);
      Objects.requireNonNull(options, "options");
      options.validateCombination();
    }

    /**
     * A request without options.
     *
     * @param kind the job's kind
     * @param args its args, or null
     * @return the request
     */
    public static JobRequest of(String kind, @Nullable Object args) {
      return new JobRequest(kind, args, EnqueueOptions.none());
    }

    /**
     * A request with options.
     *
     * @param kind the job's kind
     * @param args its args, or null
     * @param options its options
     * @return the request
     */
    public static JobRequest of(String kind, @Nullable Object args, EnqueueOptions options) {
      return new JobRequest(kind, args, options);
    }
  }

  /**
   * What {@link Offload#enqueueOrFind} did.
   *
   * @param id the new job, or the stored job that holds the same unique (or idempotency) key
   * @param duplicate whether that stored job was returned and nothing new was enqueued
   */
  public record Enqueued(JobId id, boolean duplicate) {}
}
