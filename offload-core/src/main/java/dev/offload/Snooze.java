package dev.offload;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown (usually through {@link JobContext#snooze}) to run the job again after {@code delay}
 * without using an attempt: the answer to a rate limit ("429, retry after 30 s"), not a failure. No
 * error is recorded. Throw it from anywhere in the handler's call stack.
 */
public final class Snooze extends RuntimeException {
  private final Duration delay;

  public Snooze(Duration delay) {
    super("snoozed for " + delay, null, false, false);
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("snooze delay must not be negative, got " + delay);
    }
    this.delay = delay;
  }

  public Duration delay() {
    return delay;
  }
}
