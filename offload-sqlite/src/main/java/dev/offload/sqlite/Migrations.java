package dev.offload.sqlite;

import dev.offload.store.jdbc.SchemaMigrations;
import dev.offload.store.jdbc.SchemaMigrations.Statements;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema, as numbered {@code .sql} resources in {@code dev/offload/sqlite/migrations/}, applied
 * in order and recorded in {@code offload_migrations} ({@link SchemaMigrations}). The caller runs
 * {@link #apply} in one {@code BEGIN IMMEDIATE} transaction (SQLite's DDL is transactional): a
 * second process that migrates at the same time waits for the write lock, then finds every version
 * applied.
 */
final class Migrations {
  /**
   * In order; the number before the first underscore is the version. The scripts both stores have
   * ({@link SchemaMigrations#files}), then SQLite's own, if any.
   */
  static final List<String> FILES = SchemaMigrations.files();

  private static final SchemaMigrations RUNNER =
      new SchemaMigrations(
          FILES,
          new Statements(
              Sql.MIGRATIONS_APPLIED,
              Sql.MIGRATIONS_TABLE_EXISTS,
              Sql.MIGRATIONS_CURRENT,
              Sql.MIGRATION_RECORD)) {
        @Override
        protected void prepare(Connection c) throws SQLException {
          try (Statement s = c.createStatement()) {
            s.execute(Sql.MIGRATIONS_TABLE);
          }
        }

        @Override
        protected void bindRecord(PreparedStatement ps, int version, String file)
            throws SQLException {
          ps.setInt(1, version);
          ps.setLong(2, System.currentTimeMillis());
        }

        @Override
        protected void run(Connection c, String file, String script) throws SQLException {
          if (file.equals("003_workflows.sql")) {
            allowWaitingState(c);
          }
          try (Statement s = c.createStatement()) {
            for (String statement : statements(script)) {
              s.execute(statement);
            }
          }
        }

        @Override
        protected InputStream open(String file) {
          return Migrations.class.getResourceAsStream("migrations/" + file);
        }
      };

  private Migrations() {}

  /** The newest version this code knows. */
  static int latest() {
    return SchemaMigrations.latest(FILES);
  }

  /** The newest version recorded in the file; 0 when it has no migrations table. Only reads. */
  static int current(Connection c) throws SQLException {
    return RUNNER.current(c);
  }

  /** Applies the versions not yet recorded; returns how many it applied. */
  static int apply(Connection c) throws SQLException {
    return RUNNER.apply(c);
  }

  /**
   * Rebuilds {@code offload_jobs} with {@code 'waiting'} among the states its CHECK allows: SQLite
   * cannot alter a constraint. The table's own stored definition is reused (so columns added by
   * earlier migrations stay, in their order), its rows, indexes and id sequence are kept.
   */
  static void allowWaitingState(Connection c) throws SQLException {
    String table;
    List<String> indexes = new ArrayList<>();
    Long seq = null;
    try (Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'offload_jobs'")) {
        rs.next();
        table = rs.getString(1);
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'offload_jobs' AND sql IS NOT NULL")) {
        while (rs.next()) {
          indexes.add(rs.getString(1));
        }
      }
      try (ResultSet rs =
          s.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = 'offload_jobs'")) {
        if (rs.next()) {
          seq = rs.getLong(1);
        }
      }
      String states = "'succeeded', 'dead', 'cancelled')";
      if (!table.contains(states) || !table.startsWith("CREATE TABLE offload_jobs (")) {
        throw new SQLException(
            "offload_jobs has an unexpected definition; cannot add the 'waiting' state: " + table);
      }
      s.execute(
          table
              .replace("CREATE TABLE offload_jobs (", "CREATE TABLE offload_jobs_rebuilt (")
              .replace(states, "'succeeded', 'dead', 'cancelled', 'waiting')"));
      s.execute("INSERT INTO offload_jobs_rebuilt SELECT * FROM offload_jobs");
      s.execute("DROP TABLE offload_jobs");
      s.execute("ALTER TABLE offload_jobs_rebuilt RENAME TO offload_jobs");
      for (String index : indexes) {
        s.execute(index);
      }
      if (seq != null
          && s.executeUpdate(
                  "UPDATE sqlite_sequence SET seq = max(seq, "
                      + seq
                      + ") WHERE name = 'offload_jobs'")
              == 0) {
        s.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('offload_jobs', " + seq + ")");
      }
    }
  }

  /**
   * Splits a script at semicolons that end a line, after dropping {@code --} comment lines; our
   * scripts keep to that shape (the JDBC driver runs one statement per call).
   */
  static List<String> statements(String script) {
    StringBuilder sql = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.strip().startsWith("--")) {
        sql.append(line).append('\n');
      }
    }
    List<String> out = new ArrayList<>();
    for (String part : sql.toString().split(";\\s*\n")) {
      String statement = part.strip();
      if (statement.endsWith(";")) {
        statement = statement.substring(0, statement.length() - 1);
      }
      if (!statement.isBlank()) {
        out.add(statement);
      }
    }
    return out;
  }
}
