package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code offload stats} and {@code offload enqueue --wait}, against a real SQLite file and a
 * worker.
 */
class StatsAndWaitTest {
  @TempDir Path dir;

  private String store;

  @BeforeEach
  void store() {
    store = "--store=sqlite:" + dir.resolve("offload.db");
  }

  @Test
  void waitPrintsTheResultOrTheErrorOrHowToFollowAStillRunningJob() throws Exception {
    Cli.Worker worker = Cli.startWorker("worker", store, "--shutdown-grace", "1s");
    try {
      Cli.Result ok =
          Cli.run("enqueue", "demo.sleep", "--args", "{\"ms\": 10}", "--wait", "30s", store);
      assertThat(ok.code()).as(ok.toString()).isZero();
      assertThat(ok.out()).isEqualTo("{\"sleptMs\":10}\n");

      Cli.Result dead =
          Cli.run(
              "enqueue",
              "demo.fail",
              "--args",
              "{\"times\": 1, \"permanent\": true}",
              "--wait",
              "30s",
              store);
      assertThat(dead.code()).as(dead.toString()).isEqualTo(1);
      assertThat(dead.err().lines())
          .singleElement()
          .asString()
          .matches(
              "offload: job \\d+ is dead: dev\\.offload\\.PermanentFailure: demo\\.fail: attempt 1 fails on purpose.*");

      Cli.Result later =
          Cli.run("enqueue", "demo.sleep", "--delay", "1h", "--wait", "200ms", store);
      assertThat(later.code()).as(later.toString()).isEqualTo(3);
      String id = later.out().strip();
      assertThat(id).matches("\\d+");
      assertThat(later.err())
          .isEqualTo(
              "offload: job "
                  + id
                  + " is still scheduled after 200ms; follow it with 'offload status "
                  + id
                  + " --follow'\n");

      Cli.Result json =
          Cli.run(
              "enqueue", "demo.sleep", "--args", "{\"ms\": 1}", "--wait", "30s", "--json", store);
      assertThat(json.code()).as(json.toString()).isZero();
      assertThat(Json.tree(json.out()).get("state").asText()).isEqualTo("succeeded");
    } finally {
      worker.stop();
    }
    assertThat(Cli.run("enqueue", "demo.sleep", "--args-file", "-", "--wait", "1s", store).code())
        .isEqualTo(2);
  }

  @Test
  void statsShowsRunTimesAndAdviceAndItsJsonIsTheApisDocument() throws Exception {
    Cli.Worker worker = Cli.startWorker("worker", store, "--shutdown-grace", "1s");
    try {
      for (int i = 0; i < 3; i++) {
        Cli.Result r =
            Cli.run("enqueue", "demo.sleep", "--args", "{\"ms\": 20}", "--wait", "30s", store);
        assertThat(r.code()).as(r.toString()).isZero();
      }
    } finally {
      worker.stop();
    }

    Cli.Result table = Cli.run("stats", store);
    assertThat(table.code()).as(table.toString()).isZero();
    assertThat(table.out().lines().toList().get(0))
        .matches("KIND +RUNS +P50 +P95 +MAX +ADVICE \\(BUDGET 10\\.0 s\\)");
    assertThat(table.out())
        .containsPattern("(?m)^demo\\.sleep +3 +\\d+ ms +\\d+ ms +\\d+ ms +inline$")
        .containsPattern("(?m)^demo\\.fail +0 +- +- +- +- \\(no runs yet\\)$")
        .contains("docs/inline-or-background.md");
    assertThat(Cli.run("stats", "--budget", "5ms", store).out())
        .containsPattern("(?m)^demo\\.sleep +3 .* background$");
    assertThat(Cli.run("stats", "--budget", "0s", store).code()).isEqualTo(2);

    Cli.Result json = Cli.run("stats", "--json", "--budget", "5s", store);
    assertThat(json.code()).as(json.toString()).isZero();
    Cli.Worker serve = Cli.startWorker("serve", store, "--port", "0", "--no-workers");
    try {
      String base = await().atMost(Duration.ofSeconds(20)).until(() -> url(serve), u -> u != null);
      HttpResponse<String> api =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/api/kinds?budget=5s")).build(),
                  HttpResponse.BodyHandlers.ofString());
      JsonNode fromApi = Json.tree(api.body());
      assertThat(Json.tree(json.out())).isEqualTo(fromApi);
      assertThat(fromApi.get("budgetMs").asLong()).isEqualTo(5_000);
    } finally {
      serve.stop();
    }
  }

  @Test
  void statsOnAMissingStoreCreatesNothing() {
    Cli.Result r = Cli.run("stats", "--store=sqlite:" + dir.resolve("nope.db"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(dir.resolve("nope.db")).doesNotExist();
  }

  private static String url(Cli.Worker serve) {
    Matcher m = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+)/ ").matcher(serve.out());
    return m.find() ? m.group(1) : null;
  }
}
