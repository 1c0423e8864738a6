package dev.offload.cli;

import java.util.concurrent.CountDownLatch;

/**
 * How a worker learns that it should stop. In the {@code offload} process that is the JVM shutting
 * down (SIGTERM, Ctrl-C); tests trigger it by hand.
 */
interface StopTrigger {

  /** Blocks until the process is told to stop, runs {@code stop}, and returns once it has run. */
  void awaitStop(Runnable stop) throws InterruptedException;

  /**
   * Runs {@code stop} in a JVM shutdown hook, so the JVM exits only once it has finished (a
   * graceful worker stop takes up to its grace period).
   */
  static StopTrigger jvmShutdown() {
    return stop -> {
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      stop.run();
                    } finally {
                      stopped.countDown();
                    }
                  },
                  "offload-shutdown"));
      stopped.await();
    };
  }
}
