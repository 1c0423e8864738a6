package dev.offload.store;

import org.jspecify.annotations.Nullable;

/**
 * What a queue's flow control holds back now, as a store counts it from the rows: what runs with a
 * live lease (on the store's clock, as claims count it), the due jobs and why they cannot start,
 * and the rates' theoretical arrival times. The store only counts; the engine reads the reasons
 * from these facts ({@code waiting: ...} on a job, the queue gauges). Read without a lock: a
 * snapshot that may be a claim behind.
 *
 * @param running jobs of the queue running with a live lease: the slots in use
 * @param keysAtLimit concurrency keys whose running jobs fill the per-key limit (0 without one)
 * @param due pending jobs (scheduled, available, retrying) whose run time has come
 * @param dueOfKeysAtLimit due jobs whose key is at the per-key limit
 * @param dueOfKeysOutOfRate with a rate per key, due jobs whose key's rate allows no start now
 *     (those of keys at their limit not counted again)
 * @param queueRateTatMicros the theoretical arrival time of the queue's rate (key {@code ''}: the
 *     whole queue, or the jobs without a key under a rate per key), or null when none yet
 * @param keyRunning jobs of the asked key running with a live lease (0 when no key was asked)
 * @param keyRateTatMicros the asked key's theoretical arrival time, or null
 * @param nowMicros the store's clock, which rates and leases are measured on (epoch microseconds)
 */
public record QueueFlow(
    long running,
    long keysAtLimit,
    long due,
    long dueOfKeysAtLimit,
    long dueOfKeysOutOfRate,
    @Nullable Long queueRateTatMicros,
    long keyRunning,
    @Nullable Long keyRateTatMicros,
    long nowMicros) {}
