package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Offload;
import dev.offload.internal.Json;
import dev.offload.sqlite.SqliteStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 13: {@code GET /api/jobs?limit=1000} over jobs with 1 MiB of args used to read
 * every job's args and result into the heap (about 300 MB per request), so a few listings in
 * parallel killed the server. Here 150 such jobs (150 MB of args) are listed four times at once by
 * a server in a JVM of its own with a 96 MB heap: every listing answers, and the server lives on.
 */
class ListingMemoryTest {
  static final int JOBS = 150;
  static final String HEAP = "-Xmx96m";

  @TempDir Path dir;

  @Test
  void listingsOfJobsWithLargeArgsFitInASmallHeap() throws Exception {
    Path db = dir.resolve("offload.db");
    String blob = "x".repeat(1_000_000);
    try (Offload offload = Offload.builder().store(SqliteStore.open(db)).build()) {
      for (int batch = 0; batch < JOBS / 10; batch++) {
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          requests.add(
              JobRequest.of(
                  "bulk.import", Map.of("blob", blob), EnqueueOptions.none().allowUnknownKind()));
        }
        offload.enqueueAll(requests);
      }
    }

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process server =
        new ProcessBuilder(
                java,
                HEAP,
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                ListingServerMain.class.getName(),
                db.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String line;
      int port = -1;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("PORT ")) {
          port = Integer.parseInt(line.substring(5).trim());
          break;
        }
      }
      assertThat(port).as("the server process printed its port").isPositive();
      // Drain the rest of its output so the child never blocks on a full pipe.
      Thread.ofVirtual().start(() -> out.lines().forEach(l -> {}));

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpRequest list =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs?limit=1000"))
              .timeout(Duration.ofSeconds(120))
              .build();
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        answers.add(http.sendAsync(list, HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        HttpResponse<String> r = answer.get(180, TimeUnit.SECONDS);
        assertThat(r.statusCode())
            .as(r.body().length() > 300 ? r.body().substring(0, 300) : r.body())
            .isEqualTo(200);
        JsonNode jobs = Json.tree(r.body()).get("jobs");
        assertThat(jobs).hasSize(JOBS);
        assertThat(jobs.get(0).has("args")).isFalse();
        assertThat(jobs.get(0).get("kind").asText()).isEqualTo("bulk.import");
      }
      // A page that asks for args gets them.
      HttpResponse<String> one =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/api/jobs?limit=2&fields=args"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(one.statusCode()).isEqualTo(200);
      assertThat(Json.tree(one.body()).get("jobs").get(1).get("args").get("blob").asText())
          .hasSize(1_000_000);
      assertThat(server.isAlive()).as("the server survived the listings").isTrue();
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
  }
}
