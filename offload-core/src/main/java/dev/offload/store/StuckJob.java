package dev.offload.store;

/** A running job whose lease expired: its worker is gone or cut off. */
public record StuckJob(long id, String kind, int attempt, int maxAttempts, long token, String node) {}
