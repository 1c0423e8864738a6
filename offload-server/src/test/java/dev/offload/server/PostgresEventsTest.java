package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Offload;
import dev.offload.internal.Json;
import dev.offload.postgres.PostgresStore;
import dev.offload.server.SseClient.Event;
import dev.offload.server.SseClient.Result;
import dev.offload.server.TestServer.Res;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server and the workers on different nodes of one PostgreSQL store, as {@code offload serve
 * --no-workers} beside {@code offload worker}: a job enqueued through the API runs on the worker,
 * and its event stream on the server follows it to the end through LISTEN/NOTIFY.
 *
 * <p>Uses {@code OFFLOAD_TEST_PG_URL} (default the local trust-auth server) with a schema of its
 * own, dropped afterwards. Skipped when PostgreSQL is unreachable on a developer's machine; failed
 * under {@code CI=true}.
 */
class PostgresEventsTest {
  static final String URL =
      System.getenv()
          .getOrDefault(
              "OFFLOAD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
  static String schema;

  @BeforeAll
  static void createSchema() {
    try (Connection c = DriverManager.getConnection(URL)) {
      c.isValid(2);
    } catch (SQLException e) {
      String why = "PostgreSQL at " + URL + " is unreachable: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(why + " (CI=true requires it; .ci/run starts it)", e);
      }
      Assumptions.assumeTrue(false, why);
    }
    schema = ("t_server_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
  }

  @AfterAll
  static void dropSchema() throws SQLException {
    if (schema != null) {
      try (Connection c = DriverManager.getConnection(URL);
          Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }

  private static PostgresStore store() {
    return PostgresStore.connect(
        URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema, 4);
  }

  @Test
  void eventStreamOnTheServerFollowsAJobRunOnAnotherNode() throws Exception {
    try (Offload worker = TestServer.builder(store()).node("worker-node").build();
        TestServer api = TestServer.start(store(), /* workers= */ false, b -> {})) {
      worker.start();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() ->
              api.post("/api/jobs", "{\"kind\": \"echo\", \"wait\": \"5s\"}").status() == 200);

      long id = api.enqueue("steps", Map.of("steps", 25, "delayMs", 40));
      Result r =
          SseClient.readToEnd(
              api.http, api.request("/api/jobs/" + id + "/events").GET().build(), 30_000);

      assertThat(r.ended()).isTrue();
      assertThat(r.events()).extracting(Event::event).contains("progress");
      JsonNode last = Json.tree(r.events().get(r.events().size() - 1).data());
      assertThat(last.get("state").asText()).isEqualTo("succeeded");
      assertThat(last.get("node").asText()).isEqualTo("worker-node");
      assertThat(last.get("progress").get("percent").asDouble()).isEqualTo(100.0);

      // Actions from the server node reach jobs the worker runs.
      long blocked = api.enqueue("block", Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> api.state(blocked).equals("running"));
      Res retry = api.post("/api/jobs/" + blocked + "/retry");
      assertThat(retry.status()).isEqualTo(409);
      assertThat(api.post("/api/jobs/" + blocked + "/cancel").status()).isIn(200, 202);
      await().atMost(Duration.ofSeconds(10)).until(() -> api.state(blocked).equals("cancelled"));
    }
  }
}
