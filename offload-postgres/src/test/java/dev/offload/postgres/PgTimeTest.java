package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PgTimeTest {
  /** Edges of the fast path and of the JDK's fallback, and a spread of times between. */
  private static List<Instant> times() {
    List<Instant> times =
        new ArrayList<>(
            List.of(
                Instant.EPOCH,
                Instant.ofEpochSecond(-1, 999_999_000),
                Instant.parse("0001-01-01T00:00:00Z"),
                Instant.parse("0001-01-01T00:00:00Z").minusNanos(1000),
                Instant.parse("1500-02-28T23:59:59.5Z"),
                Instant.parse("2024-02-29T12:00:00Z"),
                Instant.parse("2026-12-04T11:52:33.123456789Z"),
                Instant.parse("9999-12-31T23:59:59.999999Z"),
                Instant.parse("9999-12-31T23:59:59.999999Z").plusNanos(1000)));
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 2_000; i++) {
      long second = random.nextLong(-62_135_596_800L, 253_402_300_800L);
      int nano =
          random.nextBoolean() ? random.nextInt(1_000_000) * 1000 : random.nextInt(1_000_000_000);
      times.add(Instant.ofEpochSecond(second, nano));
    }
    return times;
  }

  @Test
  void theTextReadsBackAsTheSameInstant() {
    for (Instant t : times()) {
      assertThat(Instant.parse(PgTime.text(t))).as(t.toString()).isEqualTo(t);
    }
  }

  @Test
  void postgresReadsTheTextAsItReadsTheJdksText() throws Exception {
    TestDatabase.requireReachable();
    try (Connection c = TestDatabase.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT a::timestamptz = b::timestamptz, a::timestamptz::text"
                    + " FROM (SELECT ?::text AS a, ?::text AS b) x")) {
      c.createStatement().execute("SET TIME ZONE 'UTC'");
      for (Instant t : times()) {
        if (t.isBefore(Instant.parse("0001-01-01T00:00:00Z"))
            || t.isAfter(Instant.parse("9999-12-31T23:59:59.999999999Z"))) {
          continue; // The JDK's text for both, which PostgreSQL refuses either way.
        }
        ps.setString(1, PgTime.text(t));
        ps.setString(2, t.toString());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getBoolean(1)).as(t + " read as " + rs.getString(2)).isTrue();
        }
      }
    }
  }
}
