package dev.offload.engine;

import java.time.Duration;
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
    InstantSource clock) {
  public EngineConfig {
    queues = Map.copyOf(queues);
  }
}
