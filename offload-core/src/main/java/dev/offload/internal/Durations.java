package dev.offload.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Durations as users write them, the one reading shared by the CLI and the HTTP API: {@code 500ms},
 * {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, combinations such as {@code 1h30m}, or ISO-8601
 * ({@code PT30S}, {@code P1D}). Callers decide what a negative duration means to them.
 */
public final class Durations {
  /** The accepted forms, for error messages. */
  public static final String EXPECTED =
      "expected e.g. 500ms, 30s, 5m, 2h, 1d, 1h30m or ISO-8601 like PT30S";

  private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
  private static final long[] UNIT_MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
  private static final String[] UNITS = {"d", "h", "m", "s", "ms"};

  private Durations() {}

  /** Parses {@code text}, or returns null when it is not a duration (or too long to be meant). */
  public static @Nullable Duration parse(@Nullable String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("p") || t.startsWith("-p")) {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int end = 0;
    try {
      while (m.find() && m.start() == end) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
        end = m.end();
      }
    } catch (ArithmeticException e) {
      return null;
    }
    return end > 0 && end == t.length() ? total : null;
  }

  /**
   * The shortest text {@link #parse} reads back: {@code 5m}, {@code 1h30m}, {@code 90s}, {@code
   * 250ms}.
   */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long ms = d.toMillis();
    for (int i = 0; i < UNIT_MILLIS.length; i++) {
      if (ms >= UNIT_MILLIS[i]) {
        out.append(ms / UNIT_MILLIS[i]).append(UNITS[i]);
        ms %= UNIT_MILLIS[i];
      }
    }
    return out.toString();
  }
}
