/**
 * The engine: how a node runs jobs. One class per role: a {@code Producer} per queue claims and
 * starts jobs on virtual threads, the {@code Completer} writes their outcomes in batches, a
 * heartbeat renews leases, and on the elected leader the {@code Rescuer} and {@code Pruner} look
 * after lost and old jobs; the {@code Enqueuer} validates inserts and the {@code JobWatcher}
 * follows jobs for listeners. Policy (backoff, retry or dead, timeouts) lives here; SQL never does.
 *
 * <p>Not exported by the module. Only {@link dev.offload.engine.Node}, the façade's one entry, is
 * public; only {@code dev.offload.Offload} may depend on it. The engine depends on the public API
 * and on the store SPI, never on a store implementation.
 */
package dev.offload.engine;
