package dev.offload.postgres;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Times sent to PostgreSQL as text, which it reads as {@code timestamptz}. Text rather than {@link
 * java.sql.Timestamp}, which would shift dates before 1582; written here rather than by {@link
 * Instant#toString}, whose {@code DateTimeFormatter} path is the largest single thing the JIT
 * compiles in a drain and costs a few hundred nanoseconds for each completion, start and single
 * insert. Years outside 1 to 9999 are rare enough to take {@link Instant#toString} still.
 */
final class PgTime {
  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: years of four digits, written without sign. */
  private static final long FIRST = -62_135_596_800L;

  private static final long LAST = 253_402_300_799L;

  private PgTime() {}

  /**
   * {@code t} as {@code 2026-12-04T11:52:33.123456Z}: microseconds, or nanoseconds when it has them
   * (PostgreSQL rounds those as it did the JDK's text).
   */
  static String text(Instant t) {
    long seconds = t.getEpochSecond();
    if (seconds < FIRST || seconds > LAST) {
      return t.toString();
    }
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
    int second = (int) Math.floorMod(seconds, 86_400);
    int nano = t.getNano();
    boolean micros = nano % 1000 == 0;
    byte[] b = new byte[micros ? 27 : 30];
    digits(b, 0, day.getYear(), 4);
    b[4] = '-';
    digits(b, 5, day.getMonthValue(), 2);
    b[7] = '-';
    digits(b, 8, day.getDayOfMonth(), 2);
    b[10] = 'T';
    digits(b, 11, second / 3600, 2);
    b[13] = ':';
    digits(b, 14, second / 60 % 60, 2);
    b[16] = ':';
    digits(b, 17, second % 60, 2);
    b[19] = '.';
    if (micros) {
      digits(b, 20, nano / 1000, 6);
    } else {
      digits(b, 20, nano, 9);
    }
    b[b.length - 1] = 'Z';
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** {@code value} as {@code width} decimal digits from {@code at}, zero-padded. */
  private static void digits(byte[] b, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  /** {@link #text} of {@code t}, or null when it is null. */
  static String textOrNull(Instant t) {
    return t == null ? null : text(t);
  }
}
