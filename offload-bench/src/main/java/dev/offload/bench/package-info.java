/**
 * The benchmark harness behind {@code bench/run}: {@link dev.offload.bench.Main} starts one child
 * JVM per system and repeat ({@code Child}), each running one {@code Subject} (Offload, JobRunr,
 * db-scheduler, or the raw-SQL floor) against the same PostgreSQL, and prints the medians and
 * ratios. Nothing depends on this package; it depends on Offload's public API, its stores and the
 * systems it compares.
 */
package dev.offload.bench;
