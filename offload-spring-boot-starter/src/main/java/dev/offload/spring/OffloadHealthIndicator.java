package dev.offload.spring;

import dev.offload.Offload;
import dev.offload.Offload.NodeHealth;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code offload} health contributor: {@code UP} when the store answers and this node's workers
 * run (or are off by {@code offload.worker.enabled=false}), {@code DOWN} when the store does not
 * answer or the workers died, {@code OUT_OF_SERVICE} while the application shuts down and the
 * workers drain. It is not in the liveness group (a database outage is no reason to restart the
 * application); add it to readiness with {@code
 * management.endpoint.health.group.readiness.include=readinessState,offload}. No detail holds a
 * URL, a user or an error message (they go to the log).
 */
final class OffloadHealthIndicator implements HealthIndicator {
  private final Offload offload;
  private final OffloadLifecycle lifecycle;

  OffloadHealthIndicator(Offload offload, OffloadLifecycle lifecycle) {
    this.offload = offload;
    this.lifecycle = lifecycle;
  }

  @Override
  public Health health() {
    NodeHealth node = offload.health();
    Health.Builder b =
        new Health.Builder()
            .withDetail("node", node.node())
            .withDetail("workers", node.workers().name().toLowerCase(java.util.Locale.ROOT));
    if (lifecycle.draining()) {
      return b.outOfService().withDetail("draining", true).build();
    }
    try {
      offload.ping();
    } catch (RuntimeException e) {
      return b.down().withDetail("store", "not answering").build();
    }
    b.withDetail("store", "answering");
    return node.workers() == NodeHealth.Workers.DOWN ? b.down().build() : b.up().build();
  }
}
