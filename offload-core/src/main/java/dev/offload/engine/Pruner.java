package dev.offload.engine;

import dev.offload.Job.JobState;
import dev.offload.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Deletes finished jobs past their retention: succeeded and cancelled ones after {@code retention},
 * dead ones after {@code deadRetention}. Deletes in batches of {@value #BATCH} so it never holds
 * locks long enough to slow claiming. Runs on the leader only, about once a minute; tests call
 * {@link #runOnce} directly, with a clock they move. Ages are counted on the engine's clock, the
 * one that wrote the jobs' finish times.
 */
record Pruner(Store store, Duration retention, Duration deadRetention, InstantSource clock) {
  static final int BATCH = 1_000;

  /** Prunes everything due; returns how many jobs it deleted. */
  int runOnce() {
    Instant now = clock.instant();
    return prune(JobState.SUCCEEDED, now.minus(retention))
        + prune(JobState.CANCELLED, now.minus(retention))
        + prune(JobState.DEAD, now.minus(deadRetention));
  }

  private int prune(JobState state, Instant before) {
    int total = 0;
    int n;
    do {
      n = store.jobPrune(state, before, BATCH);
      total += n;
    } while (n == BATCH && !Thread.currentThread().isInterrupted());
    return total;
  }
}
