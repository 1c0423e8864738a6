package dev.offload.cli;

import java.time.Duration;

/**
 * Durations as users type them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d},
 * combinations such as {@code 1h30m}, or ISO-8601 ({@code PT30S}, {@code P1D}). Never negative.
 */
final class Durations {
  static final String EXPECTED = dev.offload.internal.Durations.EXPECTED;

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  static Duration parse(String text) {
    Duration d = dev.offload.internal.Durations.parse(text);
    if (d == null) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXPECTED + ")");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException(
          "'" + text + "' is negative; a duration must be 0 or more");
    }
    return d;
  }

  static String format(Duration d) {
    return dev.offload.internal.Durations.format(d);
  }
}
