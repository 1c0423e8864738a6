package dev.offload.spring;

import dev.offload.Offload;
import dev.offload.server.OffloadMetrics;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;

/**
 * Reads the queue gauges ({@code offload.queue.jobs}, {@code offload.queue.paused}, {@code
 * offload.store.up}) from the store every 5 s: the application's registry is scraped elsewhere
 * ({@code /actuator/prometheus}), where offload-server's {@code /metrics} cannot refresh them. One
 * small query per interval per node.
 */
final class QueueGauges implements SmartLifecycle {
  private static final long INTERVAL_SECONDS = 5;

  private final Offload offload;
  private final OffloadMetrics metrics;
  private ScheduledExecutorService timer;

  QueueGauges(Offload offload, OffloadMetrics metrics) {
    this.offload = offload;
    this.metrics = metrics;
  }

  @Override
  public synchronized void start() {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("offload-queue-gauges").unstarted(r));
    timer.scheduleWithFixedDelay(
        () -> metrics.readQueues(offload), 0, INTERVAL_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public synchronized void stop() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return timer != null;
  }
}
