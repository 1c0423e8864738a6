package dev.offload.test;

import dev.offload.postgres.PostgresStore;
import dev.offload.store.Store;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh schema on the PostgreSQL of {@code OFFLOAD_TEST_PG_URL}, dropped afterwards. Only loaded
 * when a test asks for PostgreSQL, so offload-postgres stays optional.
 */
final class PostgresDatabase extends TestDatabase {
  /** The server the PostgreSQL tests use. */
  static final String URL =
      System.getenv()
          .getOrDefault(
              "OFFLOAD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private final String schema;

  PostgresDatabase() {
    this("offload_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
  }

  private PostgresDatabase(String schema) {
    super(connect(schema));
    this.schema = schema;
  }

  private static Store connect(String schema) {
    requireReachable();
    return PostgresStore.connect(
        URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema, /* poolSize= */ 4);
  }

  @Override
  void delete() {
    try (Connection c = DriverManager.getConnection(URL);
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not drop the test schema " + schema + ": " + e.getMessage(), e);
    }
  }

  private static void requireReachable() {
    try (Connection c = DriverManager.getConnection(URL)) {
      c.isValid(2);
    } catch (SQLException e) {
      String why = "PostgreSQL at OFFLOAD_TEST_PG_URL does not answer: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(why + " (CI=true requires it)", e);
      }
      Assumptions.abort(why);
    }
  }
}
