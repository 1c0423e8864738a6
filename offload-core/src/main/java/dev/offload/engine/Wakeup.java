package dev.offload.engine;

import java.time.Duration;

/**
 * A coalescing signal: any number of {@link #signal()} calls before an {@link #await} wake it once.
 * A burst of inserts (one NOTIFY each) thus costs one claim, not one per job.
 */
final class Wakeup {
  private boolean signalled;

  synchronized void signal() {
    signalled = true;
    notifyAll();
  }

  /** Waits until signalled or {@code timeout} passed; clears the signal. */
  synchronized void await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!signalled) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000), 0);
    }
    signalled = false;
  }
}
