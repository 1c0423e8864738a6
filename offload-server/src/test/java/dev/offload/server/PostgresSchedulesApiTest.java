package dev.offload.server;

import dev.offload.postgres.PostgresStore;
import dev.offload.store.Store;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SchedulesApiTest} over PostgreSQL ({@code OFFLOAD_TEST_PG_URL}), a schema per test,
 * dropped afterwards. Skipped when PostgreSQL is unreachable, failed under {@code CI=true}.
 */
class PostgresSchedulesApiTest extends SchedulesApiTest {
  static final java.util.List<String> schemas = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void requirePostgres() {
    try (Connection c = DriverManager.getConnection(PostgresEventsTest.URL)) {
      c.isValid(2);
    } catch (SQLException e) {
      String why = "PostgreSQL at " + PostgresEventsTest.URL + " is unreachable: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(why + " (CI=true requires it)", e);
      }
      Assumptions.assumeTrue(false, why);
    }
  }

  @AfterAll
  static void dropSchemas() throws SQLException {
    try (Connection c = DriverManager.getConnection(PostgresEventsTest.URL);
        Statement st = c.createStatement()) {
      for (String schema : schemas) {
        st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }

  @Override
  Store store() {
    String schema =
        ("t_schedapi_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    schemas.add(schema);
    String url = PostgresEventsTest.URL;
    return PostgresStore.connect(
        url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, 4);
  }
}
