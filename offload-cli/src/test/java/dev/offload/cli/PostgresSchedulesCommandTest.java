package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.offload.postgres.PostgresStore;
import dev.offload.store.Store;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link SchedulesCommandTest} against PostgreSQL ({@code OFFLOAD_TEST_PG_URL}), a schema per test,
 * dropped afterwards. Skipped when the server is down, except under {@code CI=true}.
 */
class PostgresSchedulesCommandTest extends SchedulesCommandTest {
  private static final String URL =
      System.getenv()
          .getOrDefault(
              "OFFLOAD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private String schema;
  private String url;

  @BeforeEach
  @Override
  void store() {
    try (Connection c = DriverManager.getConnection(URL)) {
      c.isValid(2);
    } catch (SQLException e) {
      String why = "PostgreSQL at " + URL + " is unreachable: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(why, e);
      }
      assumeTrue(false, why);
    }
    schema = "t_schedcli_" + UUID.randomUUID().toString().substring(0, 8);
    url = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    store = "--store=" + url;
    Cli.Result migrated = Cli.run("migrate", store);
    assertThat(migrated.code()).as(migrated.toString()).isZero();
  }

  @Override
  Store openStore() {
    return PostgresStore.connect(url, 2);
  }

  @AfterEach
  void dropSchema() throws SQLException {
    if (schema == null) {
      return;
    }
    try (Connection c = DriverManager.getConnection(URL);
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
