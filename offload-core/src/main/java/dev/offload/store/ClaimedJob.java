package dev.offload.store;

/**
 * A job a claim returned: what the engine needs to run one attempt of it, including what earlier
 * attempts left (checkpoint, failed items), the item keys of a follow-up job, and the headers its
 * enqueue stored ({@link JobInsert#headersJson()}).
 */
public record ClaimedJob(
    long id,
    String kind,
    String queue,
    String argsJson,
    int attempt,
    int maxAttempts,
    int priority,
    String checkpointJson,
    String failedItemsJson,
    String retryItemsJson,
    long token,
    java.time.Instant runAt,
    String headersJson) {
  /** A job without headers. */
  public ClaimedJob(
      long id,
      String kind,
      String queue,
      String argsJson,
      int attempt,
      int maxAttempts,
      int priority,
      String checkpointJson,
      String failedItemsJson,
      String retryItemsJson,
      long token,
      java.time.Instant runAt) {
    this(
        id,
        kind,
        queue,
        argsJson,
        attempt,
        maxAttempts,
        priority,
        checkpointJson,
        failedItemsJson,
        retryItemsJson,
        token,
        runAt,
        null);
  }
}
