package dev.offload.sqlite;

import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.jdbc.JdbcRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/**
 * SQLite's side of {@link JdbcRows}: times are epoch milliseconds. Reads rows into records through
 * it and binds the nullable values.
 */
final class Rows {
  /** The rows of this store, read as both stores read them. */
  static final JdbcRows ROWS =
      new JdbcRows() {
        @Override
        public Instant instant(ResultSet rs, int column) throws SQLException {
          long millis = rs.getLong(column);
          return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
        }

        @Override
        protected Object timeParameter(Instant t) {
          return t.toEpochMilli();
        }
      };

  private Rows() {}

  /** A row returned by {@link Sql#CLAIM}. */
  static ClaimedJob claimed(ResultSet rs, long token) throws SQLException {
    return ROWS.claimed(rs, token);
  }

  static Integer nullableInt(ResultSet rs, int column) throws SQLException {
    return JdbcRows.nullableInt(rs, column);
  }

  static Long nullableLong(ResultSet rs, int column) throws SQLException {
    return JdbcRows.nullableLong(rs, column);
  }

  static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setLong(index, value.toEpochMilli());
    }
  }
}
