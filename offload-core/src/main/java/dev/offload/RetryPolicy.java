package dev.offload;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * How long to wait before the next attempt of a job whose attempt failed. The default is {@link
 * #exponential()}: {@code base * factor^(attempt-1)}, capped, with random jitter so a burst of
 * failures does not retry in lockstep.
 *
 * <p>Implementations must be thread-safe; they are called from worker threads.
 */
@FunctionalInterface
public interface RetryPolicy {

  /**
   * The delay before the next attempt, or null to retry no more (the job becomes dead).
   *
   * @param failedAttempt the attempt that just failed, starting at 1
   */
  @Nullable Duration delay(int failedAttempt);

  /** The default: 1 s, doubling, capped at 1 h, with ±20 % jitter. */
  static RetryPolicy exponential() {
    return exponential(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0.2);
  }

  /**
   * Exponential backoff: {@code base * factor^(failedAttempt-1)}, at most {@code cap}, then moved
   * by a random amount of up to {@code jitter} (a fraction: 0.2 is ±20 %).
   */
  static RetryPolicy exponential(Duration base, double factor, Duration cap, double jitter) {
    return new Exponential(base, factor, cap, jitter);
  }

  /** The same delay after every failure. */
  static RetryPolicy fixed(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("retry delay must not be negative, got " + delay);
    }
    return attempt -> delay;
  }

  /** Retry at once. */
  static RetryPolicy immediate() {
    return attempt -> Duration.ZERO;
  }

  /** Never retry: the first failure makes the job dead. */
  static RetryPolicy none() {
    return attempt -> null;
  }

  /** Exponential backoff with jitter; validated on construction. */
  record Exponential(Duration base, double factor, Duration cap, double jitter)
      implements RetryPolicy {
    public Exponential {
      Objects.requireNonNull(base, "base");
      Objects.requireNonNull(cap, "cap");
      if (base.isNegative() || base.isZero()) {
        throw new IllegalArgumentException("retry base must be positive, got " + base);
      }
      if (!(factor >= 1.0)) {
        throw new IllegalArgumentException("retry factor must be at least 1, got " + factor);
      }
      if (cap.compareTo(base) < 0) {
        throw new IllegalArgumentException("retry cap " + cap + " is below the base " + base);
      }
      if (!(jitter >= 0.0 && jitter < 1.0)) {
        throw new IllegalArgumentException("retry jitter must be in [0, 1), got " + jitter);
      }
    }

    @Override
    public Duration delay(int failedAttempt) {
      double millis = base.toMillis() * Math.pow(factor, Math.max(0, failedAttempt - 1));
      millis = Math.min(millis, cap.toMillis());
      if (jitter > 0) {
        millis *= 1.0 + ThreadLocalRandom.current().nextDouble(-jitter, jitter);
      }
      return Duration.ofMillis(Math.round(millis));
    }
  }
}
