package dev.offload.engine;

import dev.offload.Job.JobError;
import dev.offload.engine.Node.Registration;
import dev.offload.internal.Json;
import dev.offload.store.Store;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.StuckJob;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds running jobs whose lease expired (their worker died, froze or lost the database) and ends
 * the lost attempt: back to {@code retrying} with the kind's backoff, or to {@code dead} when its
 * attempts are used up, so a job that kills its worker every time cannot loop forever. Runs on the
 * leader only.
 *
 * <p>Whether a lease expired is the store's call, on its clock (the database's on PostgreSQL), so a
 * leader whose clock runs ahead does not take healthy jobs from other nodes; the retry time and the
 * error's timestamp come from the engine's clock, like every other due time.
 *
 * <p>The engine's leader thread calls {@link #runOnce} every rescue interval; tests call it
 * directly, with a clock they move.
 */
record Rescuer(
    Store store, Map<String, Registration<?>> registry, String node, InstantSource clock) {
  static final int BATCH = 1_000;

  /** Rescues up to one batch; returns the completions it wrote. */
  List<Completion> runOnce() {
    List<StuckJob> stuck = store.jobGetStuck(BATCH);
    if (stuck.isEmpty()) {
      return List.of();
    }
    Instant now = clock.instant();
    List<Completion> completions = new ArrayList<>(stuck.size());
    for (StuckJob job : stuck) {
      String message =
          "rescued from a lost worker: the lease of node "
              + job.node()
              + " expired during attempt "
              + job.attempt();
      String error =
          Json.write(
              new JobError(job.attempt(), now, node, "dev.offload.LostWorker", message, null));
      completions.add(
          RetryOrDead.lost(job, RetryOrDead.options(registry.get(job.kind())), now, error));
    }
    java.util.Set<Long> written = new java.util.HashSet<>(store.jobCompleteMany(completions));
    return completions.stream().filter(c -> written.contains(c.id())).toList();
  }
}
