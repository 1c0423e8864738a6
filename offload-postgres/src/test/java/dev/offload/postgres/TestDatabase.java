package dev.offload.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL the tests use: {@code OFFLOAD_TEST_PG_URL}, default the local trust-auth server.
 * Each test class gets a schema of its own, dropped afterwards, so test classes never share tables.
 * When the server is down the tests are skipped on a developer's machine and fail under {@code
 * CI=true}, where PostgreSQL is required.
 */
final class TestDatabase {
  static final String URL =
      System.getenv()
          .getOrDefault(
              "OFFLOAD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private TestDatabase() {}

  static Connection connect() throws SQLException {
    return DriverManager.getConnection(URL);
  }

  /** Skips (or, in CI, fails) when the database cannot be reached. */
  static void requireReachable() {
    try (Connection c = connect()) {
      c.isValid(2);
    } catch (SQLException e) {
      String why = "PostgreSQL at " + URL + " is unreachable: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(why + " (CI=true requires it; .ci/run starts it)", e);
      }
      // Deliberate: on a developer machine without PostgreSQL the SQLite suite still runs.
      assumeTrue(false, why);
    }
  }

  static String freshSchemaName(Class<?> owner) {
    return ("t_" + owner.getSimpleName() + "_" + UUID.randomUUID().toString().substring(0, 8))
        .toLowerCase(Locale.ROOT);
  }

  /** The URL of {@code schema}, for a store or a child process. */
  static String urlFor(String schema) {
    return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  static void drop(String schema) throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
