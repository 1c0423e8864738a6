/**
 * Offload's public API: what application code uses. {@link dev.offload.Offload} and its builder are
 * the one entry point (enqueue, read, act on jobs, run workers); a kind's code implements {@link
 * dev.offload.JobHandler} and reports progress through {@link dev.offload.JobContext}; the rest are
 * values (records, validated when built) and the exceptions the API throws. Plugins for the {@code
 * offload} command implement {@link dev.offload.OffloadPlugin}.
 *
 * <p>Anything may depend on this package; it depends on the store SPI ({@code dev.offload.store})
 * only to accept a {@code Store}, and reaches the engine through one class. Types are thread-safe
 * unless they say otherwise.
 *
 * <p>Nothing here is null unless marked {@code @Nullable} (JSpecify {@code @NullMarked}, checked at
 * build time by NullAway).
 */
@NullMarked
package dev.offload;

import org.jspecify.annotations.NullMarked;
