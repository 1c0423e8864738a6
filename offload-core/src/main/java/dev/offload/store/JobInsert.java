package dev.offload.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.IdempotencyKeyConflictException;
import dev.offload.JobState;
import dev.offload.internal.Json;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * A job to insert; validated by the engine before it reaches a store. A follow-up job for failed
 * items names its parent and the item keys to retry. A job with an idempotency key that a stored
 * job already has is not inserted: when the stored job has the same kind and equal args ({@link
 * #requireSameRequest}), the store returns its id in place; otherwise the store writes nothing of
 * the batch and throws {@link IdempotencyKeyConflictException}. The keys within one batch are
 * distinct (the engine folds repeats together before the store sees them). A job made by a schedule
 * names it, its {@code runAt} being the tick.
 *
 * <p>A job with a {@code uniqueKey} is not inserted while a job with that key is scheduled,
 * available, running or retrying, nor when one finished after {@code uniqueFinishedAfter} (when
 * set); the store returns that job's id instead, and with {@code replaceDuplicate} first gives a
 * duplicate that has not started yet this job's args, run time and priority (debounce). The {@code
 * concurrencyKey} groups jobs for a queue's per-key limit and rate. {@code headersJson} is a JSON
 * object of strings stored with the job for the code that runs it (the W3C trace context of the
 * enqueuing request), handed back in {@link ClaimedJob#headersJson()}; usually null.
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
    String schedule,
    String concurrencyKey,
    String uniqueKey,
    Instant uniqueFinishedAfter,
    boolean replaceDuplicate,
    String headersJson) {
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

  /** A job without headers. */
  public JobInsert(
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
      String schedule,
      String concurrencyKey,
      String uniqueKey,
      Instant uniqueFinishedAfter,
      boolean replaceDuplicate) {
    this(
        kind,
        queue,
        priority,
        argsJson,
        maxAttempts,
        state,
        runAt,
        createdAt,
        parentId,
        retryItemsJson,
        idempotencyKey,
        schedule,
        concurrencyKey,
        uniqueKey,
        uniqueFinishedAfter,
        replaceDuplicate,
        null);
  }

  /** This job with {@code headersJson} (a JSON object of strings, or null). */
  public JobInsert withHeaders(String headersJson) {
    return new JobInsert(
        kind,
        queue,
        priority,
        argsJson,
        maxAttempts,
        state,
        runAt,
        createdAt,
        parentId,
        retryItemsJson,
        idempotencyKey,
        schedule,
        concurrencyKey,
        uniqueKey,
        uniqueFinishedAfter,
        replaceDuplicate,
        headersJson);
  }

  /** A job without flow-control keys. */
  public JobInsert(
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
    this(
        kind,
        queue,
        priority,
        argsJson,
        maxAttempts,
        state,
        runAt,
        createdAt,
        parentId,
        retryItemsJson,
        idempotencyKey,
        schedule,
        null,
        null,
        null,
        false);
  }

  /** A job with no parent. */
  public JobInsert(
      String kind,
      String queue,
      int priority,
      String argsJson,
      int maxAttempts,
      JobState state,
      Instant runAt,
      Instant createdAt) {
    this(
        kind,
        queue,
        priority,
        argsJson,
        maxAttempts,
        state,
        runAt,
        createdAt,
        null,
        null,
        null,
        null);
  }

  /** A job without a schedule. */
  public JobInsert(
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
      String idempotencyKey) {
    this(
        kind,
        queue,
        priority,
        argsJson,
        maxAttempts,
        state,
        runAt,
        createdAt,
        parentId,
        retryItemsJson,
        idempotencyKey,
        null);
  }

  /**
   * Checks that the job stored under this job's idempotency key is the same request: same kind,
   * equal args (as JSON values: key order, spacing and number spelling do not matter).
   *
   * @throws IdempotencyKeyConflictException naming the key when it is not
   */
  public void requireSameRequest(long storedId, String storedKind, String storedArgsJson) {
    if (!kind.equals(storedKind)) {
      throw new IdempotencyKeyConflictException(
          idempotencyKey,
          "job "
              + storedId
              + " is of kind '"
              + storedKind
              + "', this request is of kind '"
              + kind
              + "'");
    }
    if (!sameJson(argsJson, storedArgsJson)) {
      throw new IdempotencyKeyConflictException(
          idempotencyKey, "job " + storedId + " of kind '" + kind + "' has other args");
    }
  }

  /**
   * Whether two JSON texts hold the same value; numbers compare by value (1, 1.0 and 1e0 are
   * equal).
   */
  public static boolean sameJson(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    JsonNode x = Json.tree(a);
    JsonNode y = Json.tree(b);
    return x != null && y != null && x.equals(SAME_VALUE, y);
  }

  private static final Comparator<JsonNode> SAME_VALUE =
      (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
          return x.decimalValue().compareTo(y.decimalValue());
        }
        return x.equals(y) ? 0 : 1;
      };
}
