package dev.offload;

/**
 * What {@link Offload#enqueueOrFind} did.
 *
 * @param id the new job, or the stored job that holds the same unique (or idempotency) key
 * @param duplicate whether that stored job was returned and nothing new was enqueued
 */
public record Enqueued(JobId id, boolean duplicate) {}
