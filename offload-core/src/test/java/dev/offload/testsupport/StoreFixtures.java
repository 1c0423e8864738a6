package dev.offload.testsupport;

import dev.offload.Job.JobState;
import dev.offload.QueueOptions;
import dev.offload.store.Store.ClaimParams;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.JobInsert;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The store SPI's records in the short forms store tests write most, every other field unset. */
public final class StoreFixtures {
  private StoreFixtures() {}

  /**
   * An available job of kind {@code k} with a concurrency key (null for none), nothing else set.
   */
  public static JobInsert keyed(
      String queue, String concurrencyKey, int priority, Instant runAt, Instant createdAt) {
    return new JobInsert(
        "k",
        queue,
        priority,
        "{}",
        3,
        JobState.AVAILABLE,
        runAt,
        createdAt,
        null,
        null,
        null,
        null,
        concurrencyKey,
        null,
        null,
        false,
        null);
  }

  /** A job with no parent, keys, schedule or headers. */
  public static JobInsert job(
      String kind,
      String queue,
      int priority,
      String argsJson,
      int maxAttempts,
      JobState state,
      Instant runAt,
      Instant createdAt) {
    return new JobInsert(
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
        null,
        null,
        null,
        null,
        false,
        null);
  }

  /** A claim from a queue without flow control. */
  public static ClaimParams claim(
      String queue,
      List<String> kinds,
      int limit,
      String node,
      long token,
      Instant now,
      Duration lease) {
    return new ClaimParams(queue, kinds, limit, node, token, now, lease, QueueOptions.none());
  }

  /** An end without progress, failed items or a handler start to write. */
  public static Completion completion(
      long id,
      long token,
      JobState state,
      Instant at,
      Instant runAt,
      String resultJson,
      String errorJson,
      Instant leaseExpiredBefore) {
    return new Completion(
        id,
        token,
        state,
        at,
        runAt,
        resultJson,
        errorJson,
        leaseExpiredBefore,
        null,
        null,
        false,
        null);
  }
}
