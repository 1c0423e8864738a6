package dev.offload.postgres;

import dev.offload.OffloadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations: {@code migrations/NNN_name.sql} resources applied in order, each in
 * its own transaction, recorded in {@code <schema>.migrations}. A transaction-level advisory lock
 * makes many nodes starting at once apply each migration exactly once.
 */
final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);
  static final List<String> FILES =
      List.of(
          "001_jobs.sql",
          "002_schedules.sql",
          "003_workflows.sql",
          "004_job_starts.sql",
          "005_flow_control.sql",
          "006_job_headers.sql",
          "007_fan_out_batches.sql",
          "008_push.sql",
          "009_job_counts.sql");

  private final DataSource dataSource;
  private final String schema;

  Migrations(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.schema = schema;
  }

  void apply() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("SELECT pg_advisory_xact_lock(hashtext('offload.migrate:" + schema + "'))");
        st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        st.execute(
            "CREATE TABLE IF NOT EXISTS "
                + schema
                + ".migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        int current;
        try (ResultSet rs =
            st.executeQuery("SELECT coalesce(max(version), 0) FROM " + schema + ".migrations")) {
          rs.next();
          current = rs.getInt(1);
        }
        for (int i = current; i < FILES.size(); i++) {
          String file = FILES.get(i);
          st.execute(read(file).replace("{schema}", schema));
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO " + schema + ".migrations (version, name) VALUES (?, ?)")) {
            ps.setInt(1, i + 1);
            ps.setString(2, file);
            ps.executeUpdate();
          }
          log.info("applied migration {} to schema {}", file, schema);
        }
      }
      c.commit();
    } catch (SQLException e) {
      throw new OffloadException("migrating schema " + schema + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The newest version applied to the schema; 0 when the schema or its migrations table is missing.
   */
  int current() {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      // to_regclass answers null, rather than failing, for a schema or table that does not exist.
      try (ResultSet rs =
          st.executeQuery("SELECT to_regclass('" + schema + ".migrations') IS NOT NULL")) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return 0;
        }
      }
      try (ResultSet rs =
          st.executeQuery("SELECT coalesce(max(version), 0) FROM " + schema + ".migrations")) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new OffloadException(
          "reading the schema version of " + schema + " failed: " + e.getMessage(), e);
    }
  }

  /** The schema version the code expects. */
  static int latest() {
    return FILES.size();
  }

  private static String read(String file) {
    try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + file)) {
      if (in == null) {
        throw new IllegalStateException("migration " + file + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + file, e);
    }
  }
}
