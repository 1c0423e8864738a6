package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in requests, as the CLI takes them: {@code "500ms"}, {@code "30s"}, {@code "5m"},
 * {@code "2h"}, {@code "1d"}, combinations such as {@code "1h30m"}, ISO-8601 ({@code "PT30S"}), or
 * a JSON number of milliseconds. Never negative.
 */
final class Durations {
  static final String EXPECTED =
      "expected milliseconds or a text such as \"500ms\", \"30s\", \"5m\", \"1h30m\" or \"PT30S\"";
  private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Reads the duration in field {@code field} of a request.
   *
   * @throws ApiException 422 naming the field and the value
   */
  static Duration field(String field, JsonNode value) {
    Duration d;
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      d = Duration.ofMillis(value.asLong());
    } else if (value.isTextual()) {
      d = parse(value.asText());
    } else {
      d = null;
    }
    if (d == null) {
      throw ApiException.invalid(
          field, field + " must be a duration (" + EXPECTED + "), got " + value);
    }
    if (d.isNegative()) {
      throw ApiException.invalid(field, field + " must not be negative, got " + value);
    }
    return d;
  }

  /** Reads a duration from a query parameter; 422 naming it when malformed. */
  static Duration param(String name, String text) {
    Duration d = parse(text);
    if (d == null || d.isNegative()) {
      throw ApiException.invalid(
          name, name + " must be a duration (" + EXPECTED + "), got '" + text + "'");
    }
    return d;
  }

  /** Parses text, or returns null when it is not a duration. */
  static Duration parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.isEmpty()) {
      return null;
    }
    if (t.startsWith("p") || t.startsWith("-p")) {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    if (t.chars().allMatch(Character::isDigit) && t.length() <= 15) {
      return Duration.ofMillis(Long.parseLong(t));
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
    return end == t.length() ? total : null;
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
