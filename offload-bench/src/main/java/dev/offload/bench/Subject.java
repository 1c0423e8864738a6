package dev.offload.bench;

import java.util.Map;

/**
 * One queue under test, in its own fresh schema (or file). The harness calls, in order: {@link
 * #setUp}, enqueues (workers not started), {@link #clear}, {@link #startWorkers}, enqueues again,
 * then {@link #close}. Jobs run {@link BenchJobs#run}.
 */
interface Subject extends AutoCloseable {
  /** Creates the tables and the client; workers are not running yet. */
  void setUp() throws Exception;

  /** Enqueues {@code n} drain jobs, {@code batch} per call of the system's bulk API. */
  void enqueueBatch(int n, int batch) throws Exception;

  /** Enqueues one job whose argument is {@code arg} through the system's single-job API. */
  void enqueueOne(long arg) throws Exception;

  /** Deletes every job (after the one-at-a-time enqueue test, before the drain). */
  void clear() throws Exception;

  void startWorkers() throws Exception;

  /** Jobs not yet finished, as the database says. */
  long unfinished() throws Exception;

  /** The settings this system runs with, for the report. */
  Map<String, Object> settings();

  /** Whether the idle-queue latency probe means anything for this system. */
  default boolean measuresLatency() {
    return true;
  }

  @Override
  void close() throws Exception;
}
