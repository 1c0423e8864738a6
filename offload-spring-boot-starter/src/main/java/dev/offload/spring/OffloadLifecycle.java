package dev.offload.spring;

import dev.offload.Offload;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Starts this node's workers with the application and stops them as part of its shutdown.
 *
 * <p>Phases: Spring stops beans from the highest phase down. Spring Boot's graceful web shutdown
 * (phase {@code Integer.MAX_VALUE - 1024}) first stops the server taking requests and lets those in
 * flight finish; the workers stop in the next phase, {@value #PHASE}, before the web server is
 * destroyed ({@code Integer.MAX_VALUE - 2048}) and long before the DataSource is closed. Stopping
 * lets running jobs finish within {@code offload.shutdown-grace} and hands the rest back at once
 * (they run again on another node, or on this one after a restart), so it should be shorter than
 * {@code spring.lifecycle.timeout-per-shutdown-phase} (30 s by default).
 *
 * <p>From the moment the context starts closing, {@link #draining()} is true and the {@code
 * offload} health contributor reports {@code OUT_OF_SERVICE}.
 */
final class OffloadLifecycle extends PhasedLifecycle
    implements ApplicationListener<ContextClosedEvent> {
  /** Right after the web server's graceful shutdown, before the server is stopped. */
  static final int PHASE = Integer.MAX_VALUE - 1024 - 1;

  private static final Logger log = LoggerFactory.getLogger(OffloadLifecycle.class);

  private final Offload offload;
  private final boolean workers;
  private final Duration grace;
  private volatile boolean draining;

  OffloadLifecycle(Offload offload, boolean workers, Duration grace) {
    super(PHASE);
    this.offload = offload;
    this.workers = workers;
    this.grace = grace;
  }

  @Override
  void onStart() {
    if (workers) {
      offload.start();
      log.info("Offload workers started on node {}", offload.node());
    }
    draining = false;
  }

  @Override
  void onStop() {
    draining = true;
    if (workers) {
      log.info(
          "Offload stopping: running jobs have {} s to finish, the rest are handed back",
          grace.toSeconds());
      offload.stop();
    }
  }

  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    draining = true;
  }

  /** True from the start of shutdown until the workers are stopped (and after). */
  boolean draining() {
    return draining;
  }
}
