package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.server.TestServer.Res;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workflow endpoints over real HTTP, with a started node running the steps. */
class WorkflowsApiTest {
  private static final String MONTH_END =
      """
      {"name": "month-end", "steps": [
        {"name": "sync", "kind": "echo", "args": {"orders": 3}},
        {"name": "report", "kind": "echo", "after": ["sync"]},
        {"name": "reconcile", "kind": "echo", "after": ["sync"], "priority": 2},
        {"name": "notify", "kind": "echo", "after": ["report", "reconcile"], "onFailure": "continue"}]}\
      """;

  @TempDir Path dir;

  TestServer t;

  @BeforeEach
  void start() {
    t = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    t.close();
  }

  @Test
  void enqueueAndFollowAWorkflowToItsEnd() {
    Res created = t.post("/api/workflows", MONTH_END);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    long id = created.json().get("id").asLong();
    assertThat(created.header("Location")).isEqualTo("/api/workflows/" + id);
    assertThat(created.json().get("name").asText()).isEqualTo("month-end");
    assertThat(created.json().get("steps")).hasSize(4);
    assertThat(created.json().get("steps").get(3).get("after").toString())
        .isEqualTo("[\"report\",\"reconcile\"]");
    assertThat(created.json().get("steps").get(3).get("onFailure").asText()).isEqualTo("continue");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> t.get("/api/workflows/" + id).json().get("state").asText().equals("succeeded"));
    JsonNode w = t.get("/api/workflows/" + id).json();
    assertThat(w.get("progress").get("percent").asDouble()).isEqualTo(100.0);
    assertThat(w.get("progress").get("eta").asDouble()).isZero();
    JsonNode sync = w.get("steps").get(0);
    JsonNode notify = w.get("steps").get(3);
    assertThat(Instant.parse(notify.get("startedAt").asText()))
        .isAfterOrEqualTo(Instant.parse(sync.get("finishedAt").asText()));
    JsonNode job = t.job(notify.get("jobId").asLong());
    assertThat(job.get("workflowId").asLong()).isEqualTo(id);
    assertThat(job.get("step").asText()).isEqualTo("notify");

    assertThat(t.post("/api/workflows/" + id + "/retry").status()).isEqualTo(200);
    assertThat(t.post("/api/workflows/" + id + "/cancel").json().get("state").asText())
        .isEqualTo("cancelled");
  }

  @Test
  void theEventStreamSendsStepChangesUntilTheWorkflowEnds() throws Exception {
    Res created =
        t.post(
            "/api/workflows",
            """
            {"name": "slow", "steps": [
              {"name": "sync", "kind": "steps", "args": {"steps": 10, "delayMs": 30}},
              {"name": "report", "kind": "echo", "after": ["sync"]}]}\
            """);
    long id = created.json().get("id").asLong();

    SseClient.Result r =
        SseClient.readToEnd(
            t.http, t.request("/api/workflows/" + id + "/events").GET().build(), 30_000);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/event-stream");
    assertThat(r.ended()).as("the server closes the stream once the workflow ended").isTrue();
    assertThat(r.events().get(0).event()).isEqualTo("workflow");
    java.util.List<String> reportStates =
        r.events().stream()
            .filter(e -> e.event().equals("step"))
            .map(e -> dev.offload.internal.Json.tree(e.data()))
            .filter(d -> d.get("name").asText().equals("report"))
            .map(d -> d.get("state").asText())
            .toList();
    assertThat(reportStates).contains("succeeded");
    SseClient.Event last = r.events().get(r.events().size() - 1);
    assertThat(last.event()).isEqualTo("workflow");
    assertThat(dev.offload.internal.Json.tree(last.data()).get("state").asText())
        .isEqualTo("succeeded");
    assertThat(t.get("/api/workflows/99/events").status()).isEqualTo(404);
  }

  /** A group join over HTTP: "sync/*" waits for sync (which adds no steps here) and runs after. */
  @Test
  void aGroupJoinWaitsForItsStepOverHttp() {
    Res created =
        t.post(
            "/api/workflows",
            """
            {"name": "fan", "steps": [
              {"name": "sync", "kind": "echo"},
              {"name": "report", "kind": "echo", "after": ["sync/*"]}]}\
            """);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().get("steps").get(1).get("after").toString()).isEqualTo("[\"sync\"]");
    long id = created.json().get("id").asLong();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> t.get("/api/workflows/" + id).json().get("state").asText().equals("succeeded"));
    JsonNode steps = t.get("/api/workflows/" + id).json().get("steps");
    assertThat(Instant.parse(steps.get(1).get("startedAt").asText()))
        .isAfterOrEqualTo(Instant.parse(steps.get(0).get("finishedAt").asText()));
  }

  @Test
  void aBadGraphIs422NamingItAndNothingIsWritten() {
    assertRefused(
        """
        {"name": "w", "steps": [{"name": "a", "kind": "echo", "after": ["c"]}, {"name": "b", "kind": "echo", "after": ["a"]},
                                {"name": "c", "kind": "echo", "after": ["b"]}]}\
        """,
        "a -> b -> c -> a");
    assertRefused(
        "{\"name\": \"w\", \"steps\": [{\"name\": \"a\", \"kind\": \"echo\", \"after\": [\"ghost\"]}]}",
        "missing step 'ghost'");
    assertRefused(
        "{\"name\": \"w\", \"steps\": [{\"name\": \"a\", \"kind\": \"echo\"}, {\"name\": \"a\", \"kind\": \"echo\"}]}",
        "duplicate step 'a'");
    assertRefused("{\"name\": \"w\", \"steps\": [{\"name\": \"a\", \"kind\": \"nope\"}]}", "nope");
    assertRefused(
        "{\"name\": \"w\", \"steps\": [{\"name\": \"a\", \"kind\": \"echo\", \"onFailure\": \"maybe\"}]}",
        "onFailure");
    assertRefused("{\"name\": \"w\", \"steps\": []}", "steps is required");
    assertRefused(
        "{\"name\": \"w\", \"steps\": [{\"name\": \"a\", \"kind\": \"echo\", \"after\": [\"ghost/*\"]}]}",
        "missing step 'ghost' (the group 'ghost/*' is the steps that 'ghost' adds)");
    assertThat(t.get("/api/jobs").json().get("jobs")).isEmpty();
    assertThat(t.get("/api/workflows/1").status()).isEqualTo(404);
    assertThat(t.get("/api/workflows/x").status()).isEqualTo(404);
    assertThat(t.post("/api/workflows/99/cancel").status()).isEqualTo(404);
  }

  private void assertRefused(String body, String detail) {
    Res r = t.post("/api/workflows", body);
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.json().get("detail").asText()).contains(detail);
  }
}
