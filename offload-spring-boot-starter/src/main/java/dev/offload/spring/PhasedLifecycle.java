package dev.offload.spring;

import org.springframework.context.SmartLifecycle;

/**
 * A {@link SmartLifecycle} in a fixed phase that remembers whether it runs: what {@link
 * OffloadLifecycle} and {@link OffloadWeb} share. Subclasses say only what starting and stopping
 * do.
 */
abstract class PhasedLifecycle implements SmartLifecycle {
  private final int phase;
  private volatile boolean running;

  PhasedLifecycle(int phase) {
    this.phase = phase;
  }

  abstract void onStart();

  abstract void onStop();

  @Override
  public final int getPhase() {
    return phase;
  }

  @Override
  public final void start() {
    onStart();
    running = true;
  }

  @Override
  public final void stop() {
    onStop();
    running = false;
  }

  @Override
  public final boolean isRunning() {
    return running;
  }
}
