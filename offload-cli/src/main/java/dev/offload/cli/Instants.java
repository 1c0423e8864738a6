package dev.offload.cli;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * Points in time as users type them for {@code --at}: an ISO-8601 instant ({@code
 * 2026-12-01T09:00:00Z}, or with an offset, {@code 2026-12-01T09:00:00+01:00}), or a local
 * date-time ({@code 2026-12-01T09:00}, {@code 2026-12-01 09:00:00}) or date, read in the given
 * zone.
 */
final class Instants {
  static final String EXPECTED =
      "expected an ISO-8601 instant like 2026-12-01T09:00:00Z or a local date-time like 2026-12-01T09:00";

  private Instants() {}

  /**
   * Parses {@code text}, reading local date-times in {@code zone}.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  static Instant parse(String text, ZoneId zone) {
    String t = text == null ? "" : text.trim().replace(' ', 'T');
    try {
      return Instant.parse(t);
    } catch (DateTimeException e) {
      // not an instant: try the local forms
    }
    try {
      return LocalDateTime.parse(t).atZone(zone).toInstant();
    } catch (DateTimeException e) {
      // not a local date-time either
    }
    try {
      return LocalDate.parse(t).atStartOfDay(zone).toInstant();
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("'" + text + "' is not a time (" + EXPECTED + ")");
    }
  }
}
