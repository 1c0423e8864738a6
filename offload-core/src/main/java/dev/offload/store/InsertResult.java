package dev.offload.store;

/**
 * What became of one {@link JobInsert}.
 *
 * @param id the new job's id, or the id of the stored job it duplicates
 * @param duplicate whether a stored job with the same unique key (or idempotency key) took its
 *     place, so nothing new was inserted
 */
public record InsertResult(long id, boolean duplicate) {}
