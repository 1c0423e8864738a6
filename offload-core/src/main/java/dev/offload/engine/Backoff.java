package dev.offload.engine;

/** Delays between retries of a failing store call: 100 ms doubling up to 5 s. */
final class Backoff {
  private static final long MIN_MILLIS = 100;
  private static final long MAX_MILLIS = 5_000;
  private long next = MIN_MILLIS;

  void reset() {
    next = MIN_MILLIS;
  }

  void pause() throws InterruptedException {
    Thread.sleep(next);
    next = Math.min(MAX_MILLIS, next * 2);
  }
}
