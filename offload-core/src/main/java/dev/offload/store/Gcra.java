package dev.offload.store;

import dev.offload.Rate;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The arithmetic of a rate limit as a generic cell rate algorithm, shared by the stores: one
 * "theoretical arrival time" (TAT, epoch microseconds) per queue and key, read and advanced in the
 * claim's transaction. A start at {@code now} conforms while {@code max(tat, now) <= now +
 * tolerance}; each start moves the TAT one interval ({@code period / count}) on.
 *
 * <p>The tolerance is one interval (or 20 ms when the interval is shorter, so a fast rate can be
 * met with claims of several jobs): starts are spread evenly, and any window of one period holds at
 * most the rate plus what the tolerance lets through at its edge (one start for rates up to 50/s).
 */
public final class Gcra {
  private static final long MIN_TOLERANCE_MICROS = 20_000;

  private Gcra() {}

  public static long intervalMicros(Rate rate) {
    return Math.max(1, rate.period().toNanos() / 1_000 / rate.count());
  }

  public static long toleranceMicros(Rate rate) {
    return Math.max(
        intervalMicros(rate), Math.min(MIN_TOLERANCE_MICROS, rate.period().toNanos() / 1_000));
  }

  public static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }

  /** How many starts conform at {@code nowMicros} given the stored TAT (null when none yet). */
  public static long allowed(@Nullable Long tatMicros, long nowMicros, Rate rate) {
    long tat = tatMicros == null ? nowMicros : Math.max(tatMicros, nowMicros);
    long edge = nowMicros + toleranceMicros(rate);
    return tat > edge ? 0 : (edge - tat) / intervalMicros(rate) + 1;
  }
}
