package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CLI against PostgreSQL ({@code OFFLOAD_TEST_PG_URL}, default the local trust-auth server), in
 * a schema of its own that is dropped afterwards. Skipped when the server is down, except under
 * {@code CI=true}.
 */
class PostgresCliTest {
  private static final String URL =
      System.getenv()
          .getOrDefault(
              "OFFLOAD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
  private static final String SCHEMA = "t_cli_" + UUID.randomUUID().toString().substring(0, 8);

  private static String store;

  @BeforeAll
  static void requirePostgres() {
    try (Connection c = DriverManager.getConnection(URL)) {
      c.isValid(2);
    } catch (SQLException e) {
      String why = "PostgreSQL at " + URL + " is unreachable: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(why, e);
      }
      assumeTrue(false, why);
    }
    store = "--store=" + URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
    Cli.Result migrated = Cli.run("migrate", store);
    assertThat(migrated.code()).as(migrated.toString()).isZero();
  }

  @AfterAll
  static void dropSchema() throws SQLException {
    if (store == null) {
      return;
    }
    try (Connection c = DriverManager.getConnection(URL);
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }

  @Test
  void enqueueWorkerStatusAndJobs() throws Exception {
    Cli.Result enqueued =
        Cli.run("enqueue", "demo.sleep", "--args", "{\"ms\": 20}", "--json", store);
    assertThat(enqueued.code()).as(enqueued.toString()).isZero();
    String id = Json.tree(enqueued.out()).get("id").asText();

    Cli.Worker worker = Cli.startWorker("worker", store, "--shutdown-grace", "1s");
    try {
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(() ->
              assertThat(Cli.run("status", id, "--json", store).out())
                  .contains("\"state\":\"succeeded\""));
    } finally {
      Cli.Result stopped = worker.stop();
      assertThat(stopped.code()).as(stopped.toString()).isZero();
      assertThat(stopped.out())
          .contains("started on postgresql://")
          .contains("(schema " + SCHEMA + ")");
    }

    JsonNode page = Json.tree(Cli.run("jobs", "--json", "--state", "succeeded", store).out());
    assertThat(page.get("jobs")).extracting(j -> j.get("id").asText()).containsExactly(id);
    assertThat(page.has("nextCursor")).isTrue();
  }

  @Test
  void missingJobNamesTheStoreWithoutItsPassword() {
    Cli.Result result = Cli.run("status", "999999", store);

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("offload: no job 999999 in postgresql://")
        .contains("(schema " + SCHEMA + ")");
  }
}
