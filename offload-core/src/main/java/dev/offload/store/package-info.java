/**
 * The store SPI: what the engine asks of a database. Each store owns complete SQL for its
 * database; no SQL lives in the engine and no policy lives in a store. Not a stable API.
 */
package dev.offload.store;
