package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.server.TestServer.Res;
import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} in Prometheus format after jobs ran, and {@code /health}. */
class MetricsAndHealthTest {
  @TempDir Path dir;

  @Test
  void metricsCountJobsByQueueAndKindWithHistogramsAndQueueDepth() {
    try (TestServer t = TestServer.start(dir)) {
      long echo1 = t.enqueue("echo", Map.of());
      long echo2 = t.enqueue("echo", Map.of());
      long fail = t.enqueue("fail", Map.of());
      long flaky = t.enqueue("flaky", Map.of());
      t.post("/api/jobs", "{\"kind\": \"reports.render\", \"delay\": \"1h\"}");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() ->
              t.state(echo1).equals("succeeded")
                  && t.state(echo2).equals("succeeded")
                  && t.state(fail).equals("dead")
                  && t.state(flaky).equals("succeeded"));

      Res r = t.get("/metrics");

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.contentType()).startsWith("text/plain");
      String m = r.body();
      assertThat(value(m, "offload_jobs_enqueued_total{kind=\"echo\",queue=\"default\"}"))
          .isEqualTo(2);
      assertThat(value(m, "offload_jobs_enqueued_total{kind=\"reports.render\",queue=\"reports\"}"))
          .isEqualTo(1);
      assertThat(value(m, "offload_jobs_started_total{kind=\"echo\",queue=\"default\"}"))
          .isEqualTo(2);
      assertThat(value(m, "offload_jobs_succeeded_total{kind=\"echo\",queue=\"default\"}"))
          .isEqualTo(2);
      assertThat(value(m, "offload_jobs_dead_total{kind=\"fail\",queue=\"default\"}")).isEqualTo(1);
      assertThat(value(m, "offload_jobs_failed_total{kind=\"flaky\",queue=\"default\"}"))
          .isEqualTo(1);
      assertThat(value(m, "offload_jobs_succeeded_total{kind=\"flaky\",queue=\"default\"}"))
          .isEqualTo(1);
      // Enqueue-to-start latency and run duration are histograms with buckets.
      assertThat(m).contains("# TYPE offload_job_wait_seconds histogram");
      assertThat(value(m, "offload_job_wait_seconds_count{kind=\"echo\",queue=\"default\"}"))
          .isEqualTo(2);
      assertThat(
              value(
                  m,
                  "offload_job_wait_seconds_bucket{kind=\"echo\",queue=\"default\",le=\"+Inf\"}"))
          .isEqualTo(2);
      assertThat(m)
          .contains(
              "offload_job_wait_seconds_bucket{kind=\"echo\",queue=\"default\",le=\"0.005\"}");
      assertThat(m).contains("# TYPE offload_job_run_seconds histogram");
      assertThat(
              value(
                  m,
                  "offload_job_run_seconds_count{kind=\"echo\",queue=\"default\",state=\"succeeded\"}"))
          .isEqualTo(2);
      assertThat(
              value(
                  m,
                  "offload_job_run_seconds_count{kind=\"flaky\",queue=\"default\",state=\"retrying\"}"))
          .isEqualTo(1);
      // Queue depth per state, read from the store.
      assertThat(value(m, "offload_queue_jobs{queue=\"default\",state=\"succeeded\"}"))
          .isEqualTo(3);
      assertThat(value(m, "offload_queue_jobs{queue=\"default\",state=\"dead\"}")).isEqualTo(1);
      assertThat(value(m, "offload_queue_jobs{queue=\"reports\",state=\"scheduled\"}"))
          .isEqualTo(1);
      assertThat(value(m, "offload_queue_paused{queue=\"reports\"}")).isZero();
      assertThat(value(m, "offload_store_up")).isEqualTo(1);
      assertThat(m).contains("jvm_memory_used_bytes");
    }
  }

  private static double value(String metrics, String series) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
            .matcher(metrics);
    assertThat(m.find()).as("series %s in%n%s", series, metrics).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void healthSaysWhetherTheStoreIsReachable() {
    TestServer t = TestServer.start(dir);
    try {
      Res up = t.get("/health");
      assertThat(up.status()).isEqualTo(200);
      assertThat(up.contentType()).startsWith("application/json");
      assertThat(up.json().get("status").asText()).isEqualTo("up");
      assertThat(up.json().get("store").asText()).isEqualTo("reachable");

      t.offload.close(); // closes the store under the running server

      Res down = t.get("/health");
      assertThat(down.status()).isEqualTo(503);
      assertThat(down.json().get("status").asText()).isEqualTo("down");
      assertThat(down.json().get("store").asText()).isEqualTo("unreachable");
      assertThat(down.json().get("detail").asText())
          .startsWith(
              "the store cannot be reached; the server's log has the cause"
                  + " under error id "
                  + down.json().get("errorId").asText());
      assertThat(down.body()).doesNotContain(dir.toString()).doesNotContainIgnoringCase("sql");
      Res api = t.get("/api/jobs");
      assertThat(api.status()).isEqualTo(503);
      assertThat(api.contentType()).startsWith("application/problem+json");
    } finally {
      t.server.stop();
    }
  }

  /** A real store that records which of its methods were called. */
  private static Store recording(Store store, List<String> calls) {
    return (Store)
        Proxy.newProxyInstance(
            Store.class.getClassLoader(),
            new Class<?>[] {Store.class},
            (proxy, method, args) -> {
              calls.add(method.getName());
              try {
                return method.invoke(store, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void healthPingsTheStoreAndReadsNoJob() {
    List<String> calls = new CopyOnWriteArrayList<>();
    try (TestServer t =
        TestServer.start(
            recording(SqliteStore.open(dir.resolve("offload.db")), calls), true, b -> {})) {
      t.enqueue("echo", Map.of("n", 1));
      calls.clear();

      Res up = t.get("/health");

      assertThat(up.status()).isEqualTo(200);
      assertThat(up.json().get("workers").asText()).isEqualTo("running");
      assertThat(up.json().get("notifier").asText()).isEqualTo("connected");
      assertThat(calls).contains("ping").doesNotContain("jobList", "jobGet", "queueStats");
    }
  }

  @Test
  void healthIs503WhenThisNodesWorkersAreDown() {
    try (TestServer t = TestServer.start(dir)) {
      assertThat(t.get("/health").status()).isEqualTo(200);

      t.offload.stop(); // the store stays open: only the workers are gone

      Res down = t.get("/health");
      assertThat(down.status()).isEqualTo(503);
      assertThat(down.json().get("status").asText()).isEqualTo("down");
      assertThat(down.json().get("workers").asText()).isEqualTo("down");
      assertThat(down.json().get("store").asText()).isEqualTo("reachable");
    }
  }

  @Test
  void healthOfANodeWithoutWorkersIsUp() {
    try (TestServer t =
        TestServer.start(
            SqliteStore.open(dir.resolve("offload.db")), /* workers= */ false, b -> {})) {
      Res up = t.get("/health");
      assertThat(up.status()).isEqualTo(200);
      assertThat(up.json().get("workers").asText()).isEqualTo("off");
    }
  }

  @Test
  void queuesShowCountsThroughputAndLatencyAndPauseAndResume() {
    try (TestServer t = TestServer.start(dir)) {
      long done = t.enqueue("echo", Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> t.state(done).equals("succeeded"));

      Res paused = t.post("/api/queues/default/pause");
      assertThat(paused.status()).isEqualTo(200);
      assertThat(paused.json().get("paused").asBoolean()).isTrue();
      long waiting = t.enqueue("echo", Map.of());
      // Work enqueued after it on another queue runs to the end, so the worker has been awake
      // since.
      long other = t.enqueue("reports.render", Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> t.state(other).equals("succeeded"));
      assertThat(t.state(waiting)).as("a paused queue is not claimed from").isEqualTo("available");

      Res queues = t.get("/api/queues");
      assertThat(queues.status()).isEqualTo(200);
      var def =
          queues.json().get("queues").findParents("name").stream()
              .filter(q -> q.get("name").asText().equals("default"))
              .findFirst()
              .orElseThrow();
      assertThat(def.get("paused").asBoolean()).isTrue();
      assertThat(def.get("counts").get("available").asLong()).isEqualTo(1);
      assertThat(def.get("counts").get("succeeded").asLong()).isEqualTo(1);
      assertThat(def.get("counts").get("dead").asLong()).isZero();
      assertThat(def.get("pending").asLong()).isEqualTo(1);
      assertThat(def.get("running").asLong()).isZero();
      assertThat(def.get("claimed").asLong()).isZero();
      assertThat(def.get("finishedLastMinute").asLong()).isEqualTo(1);
      assertThat(def.has("throughputPerSecond")).isTrue();
      assertThat(def.has("latencyP50Ms")).isTrue();

      Res resumed = t.post("/api/queues/default/resume");
      assertThat(resumed.json().get("paused").asBoolean()).isFalse();
      await().atMost(Duration.ofSeconds(10)).until(() -> t.state(waiting).equals("succeeded"));

      Res bad = t.post("/api/queues/bad%20name/pause");
      assertThat(bad.status()).isEqualTo(422);
      assertThat(bad.json().get("field").asText()).isEqualTo("name");
    }
  }

  @Test
  void kindsListTheRegisteredKindsWithRunTimeAdvice() {
    try (TestServer t = TestServer.start(dir)) {
      long done = t.enqueue("echo", Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> t.state(done).equals("succeeded"));

      Res r = t.get("/api/kinds?budget=2s");

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("budgetMs").asLong()).isEqualTo(2000);
      var echo =
          r.json().get("kinds").findParents("kind").stream()
              .filter(k -> k.get("kind").asText().equals("echo"))
              .findFirst()
              .orElseThrow();
      assertThat(echo.get("registered").asBoolean()).isTrue();
      assertThat(echo.get("queue").asText()).isEqualTo("default");
      assertThat(echo.get("runs").asLong()).isEqualTo(1);
      assertThat(echo.get("advice").asText()).isEqualTo("inline");
      assertThat(r.json().get("kinds").findValuesAsText("kind"))
          .contains("block", "fail", "reports.render");
      assertThat(t.get("/api/kinds?budget=soon").status()).isEqualTo(422);
    }
  }
}
