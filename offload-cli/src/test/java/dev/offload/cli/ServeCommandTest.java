package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * {@code offload serve}: API, dashboard and workers in one process; {@code --no-workers}; the bind
 * rule.
 */
class ServeCommandTest {
  private static final Pattern URL = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+)/ ");

  @TempDir Path dir;

  String store;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void setUp() {
    store = "--store=sqlite:" + dir.resolve("offload.db");
  }

  @Test
  void servesTheApiAndTheDashboardAndRunsJobsUntilStopped() throws Exception {
    Cli.Worker serve = Cli.startWorker("serve", store, "--port", "0", "--shutdown-grace", "1s");
    String base = await().atMost(Duration.ofSeconds(20)).until(() -> url(serve), u -> u != null);

    HttpResponse<String> page = get(base + "/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Offload</title>");

    HttpResponse<String> enqueued =
        post(
            base + "/api/jobs",
            "{\"kind\": \"demo.sleep\", \"args\": {\"ms\": 10}, \"wait\": \"10s\"}");
    assertThat(enqueued.statusCode()).isEqualTo(200);
    assertThat(enqueued.body()).contains("\"state\":\"succeeded\"").contains("\"sleptMs\":10");
    assertThat(get(base + "/metrics").body())
        .contains("offload_jobs_succeeded_total{kind=\"demo.sleep\",queue=\"default\"} 1.0");
    assertThat(get(base + "/health").statusCode()).isEqualTo(200);

    Cli.Result stopped = serve.stop();
    assertThat(stopped.code()).as(stopped.toString()).isZero();
    assertThat(stopped.out())
        .contains("serving the API and the dashboard on http://127.0.0.1:")
        .contains(", worker ");
  }

  @Test
  void noWorkersServesTheApiButRunsNoJobs() throws Exception {
    // A worker has announced the kinds to the store before; now only the API runs.
    Cli.Worker worker = Cli.startWorker("worker", store, "--shutdown-grace", "0s");
    await().atMost(Duration.ofSeconds(20)).until(() -> worker.out().contains("started"));
    worker.stop();
    Cli.Worker serve = Cli.startWorker("serve", store, "--port", "0", "--no-workers");
    String base = await().atMost(Duration.ofSeconds(20)).until(() -> url(serve), u -> u != null);

    HttpResponse<String> enqueued =
        post(
            base + "/api/jobs",
            "{\"kind\": \"demo.sleep\", \"args\": {\"ms\": 1}, \"wait\": \"1s\"}");

    assertThat(enqueued.statusCode()).as(enqueued.body()).isEqualTo(202);
    assertThat(enqueued.body()).contains("\"state\":\"available\"");
    Cli.Result stopped = serve.stop();
    assertThat(stopped.out()).contains(", no workers");
  }

  @Test
  void theProgressKeyComesAsBase64AndATooShortOrMalformedOneIsABadUsage() {
    byte[] key = new byte[32];
    new java.util.Random(7).nextBytes(key);

    assertThat(ServeCommand.progressKey(java.util.Base64.getEncoder().encodeToString(key)))
        .isEqualTo(key);
    assertThat(
            ServeCommand.progressKey(
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key)))
        .isEqualTo(key);
    assertThat(ServeCommand.progressKey(null)).isNull();
    assertThat(ServeCommand.progressKey("")).isNull();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ServeCommand.progressKey("not base64!"))
        .hasMessageContaining("OFFLOAD_PROGRESS_KEY must be base64");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServeCommand.progressKey("c2hvcnQ="))
        .hasMessageContaining("at least 16 bytes");
  }

  @Test
  void bindingBeyondLoopbackWithoutATokenIsABadUsage() {
    Cli.Result r = Cli.run("serve", store, "--bind", "0.0.0.0", "--port", "0");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("offload: refusing to listen on 0.0.0.0 without a token")
        .contains("--token");
  }

  @Test
  void serveOnAReadOnlyStoreSaysWhyInsteadOfANullPointerException() throws Exception {
    Path file = dir.resolve("offload.db");
    assertThat(Cli.run("migrate", store).code()).isZero();
    boolean immutable = makeReadOnly(file);
    try {
      Cli.Result r = Cli.run("serve", store, "--port", "0");

      assertThat(r.code()).as(r.toString()).isEqualTo(1);
      assertThat(r.err().lines())
          .as(r.toString())
          .singleElement()
          .asString()
          .startsWith("offload: announcing kinds")
          .containsIgnoringCase("readonly")
          .doesNotContain("NullPointerException");
    } finally {
      if (immutable) {
        new ProcessBuilder("chattr", "-i", file.toString()).start().waitFor();
      }
      file.toFile().setWritable(true);
    }
  }

  /**
   * Takes write permission away; root ignores permissions, so there the file is also made immutable
   * ({@code chattr +i}) when the file system allows. Returns whether it did that.
   */
  private static boolean makeReadOnly(Path file) throws Exception {
    assertThat(file.toFile().setWritable(false, false)).isTrue();
    if (!writable(file)) {
      return false;
    }
    Process chattr =
        new ProcessBuilder("chattr", "+i", file.toString()).redirectErrorStream(true).start();
    boolean immutable = chattr.waitFor() == 0;
    org.junit.jupiter.api.Assumptions.assumeTrue(
        immutable && !writable(file), "cannot make a file read-only here (root without chattr)");
    return true;
  }

  private static boolean writable(Path file) {
    try (var out =
        java.nio.file.Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String url(Cli.Worker serve) {
    Matcher m = URL.matcher(serve.out());
    return m.find() ? m.group(1) : null;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
