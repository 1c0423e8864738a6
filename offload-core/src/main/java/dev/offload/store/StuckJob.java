package dev.offload.store;

import java.time.Instant;

/**
 * A running job whose lease expired: its worker is gone or cut off.
 *
 * @param checkedAt when the store found the lease expired, on the store's clock: a rescue passes it
 *     as {@link Completion#leaseExpiredBefore()}, so a lease renewed since is not taken away
 */
public record StuckJob(
    long id,
    String kind,
    int attempt,
    int maxAttempts,
    long token,
    String node,
    Instant checkedAt) {}
