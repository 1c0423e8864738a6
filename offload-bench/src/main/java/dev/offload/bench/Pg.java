package dev.offload.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** PostgreSQL helpers: schemas, URLs, pools, one-off statements. */
final class Pg {
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private Pg() {}

  static String baseUrl() {
    String url = System.getenv("OFFLOAD_BENCH_PG_URL");
    return url == null || url.isBlank() ? DEFAULT_URL : url;
  }

  /** {@code url} with {@code currentSchema=schema}, so unqualified tables land in that schema. */
  static String withSchema(String url, String schema) {
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  static Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url);
  }

  static void exec(String url, String... sql) throws SQLException {
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  /**
   * Writes every dirty buffer and ends a checkpoint in progress ({@code CHECKPOINT}), so that the
   * phase timed next starts from the same database state whichever system ran before it: without
   * it, a system could meet the previous system's dirty pages (written back by its own backend when
   * buffers run short) or a timed checkpoint spreading its writes over its minutes, and another
   * not. Needs a superuser or {@code pg_checkpointer}; without either it says so and goes on.
   */
  static void checkpoint() {
    try {
      exec(baseUrl(), "CHECKPOINT");
    } catch (SQLException e) {
      System.err.println("bench: CHECKPOINT refused, phases start from uneven states: " + e);
    }
  }

  static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void createSchema(String schema) throws SQLException {
    exec(baseUrl(), "DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema);
  }

  static void dropSchema(String schema) throws SQLException {
    exec(baseUrl(), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  /** A HikariCP pool of {@code size} connections whose tables default to {@code schema}. */
  static HikariDataSource pool(String schema, int size, String name) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(withSchema(baseUrl(), schema));
    config.setMaximumPoolSize(size);
    config.setPoolName(name);
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }
}
