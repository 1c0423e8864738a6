package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * Durations in requests, as the CLI takes them: {@code "500ms"}, {@code "30s"}, {@code "5m"},
 * {@code "2h"}, {@code "1d"}, combinations such as {@code "1h30m"}, ISO-8601 ({@code "PT30S"}), or
 * a JSON number of milliseconds. Never negative.
 */
final class Durations {
  static final String EXPECTED =
      "expected milliseconds or a text such as \"500ms\", \"30s\", \"5m\", \"1h30m\" or \"PT30S\"";

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

  /** Parses text (also bare digits, read as milliseconds), or returns null. */
  static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    if (!t.isEmpty() && t.length() <= 15 && t.chars().allMatch(Character::isDigit)) {
      return Duration.ofMillis(Long.parseLong(t));
    }
    return dev.offload.internal.Durations.parse(t);
  }

  static String format(Duration d) {
    return dev.offload.internal.Durations.format(d);
  }
}
