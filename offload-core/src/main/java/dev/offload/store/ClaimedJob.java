package dev.offload.store;

/**
 * A job a claim returned: what the engine needs to run one attempt of it, including what earlier
 * attempts left (checkpoint, failed items) and the item keys of a follow-up job.
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
    java.time.Instant runAt) {}
