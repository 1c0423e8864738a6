/**
 * What Offload's two stores share about JDBC, so it is written once: reading their rows into the
 * store SPI's records, the clauses of job filters, and the shape of running schema migrations. The
 * SQL stays in each store, complete. Exported only to {@code offload-postgres} and {@code
 * offload-sqlite}; depends on the public API and the store SPI.
 */
package dev.offload.store.jdbc;
