package dev.offload.store;

/**
 * The latest progress of a running attempt, written only while {@code token} still holds the job.
 */
public record ProgressUpdate(long id, long token, String progressJson) {}
