package dev.offload.test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A clock that stands still until the test moves it: the Offload's clock for due times ({@code
 * runAt}, {@code delay}), retry backoff, snoozes, schedules and retention. Moving it makes what
 * fell due runnable at once; in {@link OffloadTest.Mode#INLINE} mode it also runs it. Leases are
 * not on this clock (they are measured on the database's), and no test waits for one. Thread-safe.
 */
public final class TestClock implements InstantSource {
  private volatile Instant now;
  private volatile Runnable moved = () -> {};

  /**
   * A clock at {@code start}.
   *
   * @param start the clock's first time
   */
  public TestClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  /** {@return a clock at the current time, to the millisecond (as the stores keep it)} */
  public static TestClock atNow() {
    return new TestClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
  }

  @Override
  public Instant instant() {
    return now;
  }

  /**
   * Moves the clock forward by {@code amount}.
   *
   * @param amount how far; not negative
   * @return this clock
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public TestClock advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a test clock only moves forward, got " + amount);
    }
    synchronized (this) {
      now = now.plus(amount);
    }
    moved.run();
    return this;
  }

  /**
   * Sets the clock to {@code instant}.
   *
   * @param instant the new time
   * @return this clock
   * @throws IllegalArgumentException if {@code instant} is before the clock's time
   */
  public TestClock set(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    synchronized (this) {
      if (instant.isBefore(now)) {
        throw new IllegalArgumentException(
            "a test clock only moves forward: it is " + now + ", asked for " + instant);
      }
      now = instant;
    }
    moved.run();
    return this;
  }

  /** What to do after each move (the inline mode's drain). */
  void onMove(Runnable action) {
    this.moved = Objects.requireNonNull(action, "action");
  }

  @Override
  public String toString() {
    return "TestClock[" + now + "]";
  }
}
