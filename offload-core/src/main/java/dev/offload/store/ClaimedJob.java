package dev.offload.store;

/** A job a claim returned: what the engine needs to run one attempt of it. */
public record ClaimedJob(
    long id,
    String kind,
    String queue,
    String argsJson,
    int attempt,
    int maxAttempts,
    int priority,
    String checkpointJson,
    long token) {}
