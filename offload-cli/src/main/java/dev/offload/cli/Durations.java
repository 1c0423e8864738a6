package dev.offload.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users type them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d},
 * combinations such as {@code 1h30m}, or ISO-8601 ({@code PT30S}, {@code P1D}). Never negative.
 */
final class Durations {
  static final String EXPECTED =
      "expected e.g. 500ms, 30s, 5m, 2h, 1d, 1h30m or ISO-8601 like PT30S";
  private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  static Duration parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Duration d = t.startsWith("p") ? iso(t) : units(t);
    if (d == null) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXPECTED + ")");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException(
          "'" + text + "' is negative; a duration must be 0 or more");
    }
    return d;
  }

  private static Duration iso(String t) {
    try {
      return Duration.parse(t);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Duration units(String t) {
    try {
      return sum(t);
    } catch (ArithmeticException e) {
      return null; // overflow: too long to be meant
    }
  }

  private static Duration sum(String t) {
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      Duration part =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      total = total.plus(part);
      end = m.end();
    }
    return end > 0 && end == t.length() ? total : null;
  }

  /**
   * The shortest text {@link #parse} reads back: {@code 5m}, {@code 1h30m}, {@code 90s}, {@code
   * 250ms}.
   */
  static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    String[] units = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms >= sizes[i]) {
        out.append(ms / sizes[i]).append(units[i]);
        ms %= sizes[i];
      }
    }
    return out.toString();
  }
}
