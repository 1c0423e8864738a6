package dev.offload.engine;

import dev.offload.Offload.QueueStats;
import dev.offload.engine.Node.EngineConfig;
import dev.offload.internal.OffloadInternals.JobStepper;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimedJob;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Runs a node's jobs one at a time on the calling thread, without workers: the test kit's manual
 * and inline modes. The attempt goes through the same code as a worker's ({@link
 * Engine#runOneNow}), so retries, snoozes, checkpoints, workflow releases and results behave alike;
 * only timeouts and the background services (heartbeats, rescue, progress ticks) are absent.
 */
record Stepper(Engine engine, Store store, EngineConfig config) implements JobStepper {

  @Override
  public OptionalLong runNext() {
    // The node's queues and every queue that holds jobs: an enqueue may route a kind anywhere.
    TreeSet<String> queues = new TreeSet<>(config.queues().keySet());
    for (QueueStats q : store.queueStats(config.clock().instant())) {
      queues.add(q.name());
    }
    for (String queue : queues) {
      ClaimedJob job = engine.runOneNow(queue);
      if (job != null) {
        return OptionalLong.of(job.id());
      }
    }
    return OptionalLong.empty();
  }
}
