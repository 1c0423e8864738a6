package dev.offload.engine;

import dev.offload.JobListener;
import java.time.Duration;
import java.util.List;
import java.time.InstantSource;
import java.util.Map;

/**
 * How a node runs: its name, its queues and their per-node concurrency, and the timings of its
 * background services. Built and validated by {@code Offload.Builder}.
 */
public record EngineConfig(
    String node,
    Map<String, Integer> queues,
    Duration pollInterval,
    Duration leaseDuration,
    Duration heartbeatInterval,
    Duration rescueInterval,
    Duration shutdownGrace,
    Duration progressInterval,
    int maxClaimBatch,
    int maxArgsBytes,
    int maxResultBytes,
    Duration retention,
    Duration deadRetention,
    List<JobListener> listeners,
    InstantSource clock) {
  public EngineConfig {
    queues = Map.copyOf(queues);
    listeners = List.copyOf(listeners);
  }
}
