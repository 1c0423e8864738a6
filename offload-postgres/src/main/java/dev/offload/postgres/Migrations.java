package dev.offload.postgres;

import dev.offload.OffloadException;
import dev.offload.store.jdbc.SchemaMigrations;
import dev.offload.store.jdbc.SchemaMigrations.Statements;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations ({@link SchemaMigrations}): {@code migrations/NNN_name.sql} resources
 * applied in order in one transaction, recorded in {@code <schema>.migrations}. A transaction-level
 * advisory lock makes many nodes starting at once apply each migration exactly once.
 */
final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  /** The scripts both stores have, then PostgreSQL's own ({@link SchemaMigrations#files}). */
  static final List<String> FILES =
      SchemaMigrations.files("009_job_counts.sql", "010_job_counts_insert.sql");

  private final DataSource dataSource;
  private final String schema;
  private final SchemaMigrations runner;

  Migrations(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.runner =
        new SchemaMigrations(
            FILES,
            new Statements(
                "SELECT version FROM " + schema + ".migrations",
                // to_regclass answers null, rather than failing, for a schema or table that does
                // not exist.
                "SELECT to_regclass('" + schema + ".migrations') IS NOT NULL",
                "SELECT coalesce(max(version), 0) FROM " + schema + ".migrations",
                "INSERT INTO " + schema + ".migrations (version, name) VALUES (?, ?)")) {
          @Override
          protected void prepare(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
              st.execute(
                  "SELECT pg_advisory_xact_lock(hashtext('offload.migrate:" + schema + "'))");
              st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
              st.execute(
                  "CREATE TABLE IF NOT EXISTS "
                      + schema
                      + ".migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            }
          }

          @Override
          protected void bindRecord(PreparedStatement ps, int version, String file)
              throws SQLException {
            ps.setInt(1, version);
            ps.setString(2, file);
          }

          @Override
          protected void run(Connection c, String file, String script) throws SQLException {
            try (Statement st = c.createStatement()) {
              st.execute(script.replace("{schema}", schema));
            }
          }

          @Override
          protected InputStream open(String file) {
            return Migrations.class.getResourceAsStream("migrations/" + file);
          }

          @Override
          protected void applied(String file) {
            log.info("applied migration {} to schema {}", file, schema);
          }
        };
  }

  void apply() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      runner.apply(c);
      c.commit();
    } catch (SQLException e) {
      throw new OffloadException("migrating schema " + schema + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The newest version applied to the schema; 0 when the schema or its migrations table is missing.
   */
  int current() {
    try (Connection c = dataSource.getConnection()) {
      return runner.current(c);
    } catch (SQLException e) {
      throw new OffloadException(
          "reading the schema version of " + schema + " failed: " + e.getMessage(), e);
    }
  }

  /** The schema version the code expects. */
  static int latest() {
    return SchemaMigrations.latest(FILES);
  }
}
