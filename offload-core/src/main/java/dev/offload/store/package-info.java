/**
 * The store SPI: what the engine asks of a database, {@link dev.offload.store.Store} and the
 * records its methods take and return, and the wake-up channel ({@link
 * dev.offload.store.Store.Notifier}). Each store owns complete SQL for its database; no SQL lives
 * in the engine and no policy lives in a store.
 *
 * <p>Implemented by Offload's own stores ({@code offload-postgres}, {@code offload-sqlite}); the
 * engine depends on it, and {@code Offload.Builder.store} accepts a {@code Store}. It depends only
 * on the public API. This is an SPI, not a stable API: it may change in any version.
 */
package dev.offload.store;
