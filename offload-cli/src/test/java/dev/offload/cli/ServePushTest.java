package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code offload serve} knows its public URL: each push carries a {@code progressUrl} under it (its
 * own listening URL by default, {@code --public-url} otherwise), and an endpoint that posts its
 * progress there with the job token is heard, end to end, against a real loopback endpoint.
 */
class ServePushTest {
  private static final Pattern URL = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+)/ ");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private String store;
  private HttpServer endpoint;
  private final BlockingQueue<JsonNode> deliveries = new LinkedBlockingQueue<>();
  private final BlockingQueue<Integer> progressAnswers = new LinkedBlockingQueue<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void setUp() throws IOException {
    store = "--store=sqlite:" + dir.resolve("offload.db");
    endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    endpoint.createContext(
        "/push",
        ex -> {
          JsonNode call = JSON.readTree(ex.getRequestBody().readAllBytes());
          deliveries.add(call);
          // Report progress through the URL the push gave, as offload-push's receiver does.
          int status = -1;
          if (call.hasNonNull("progressUrl")) {
            try {
              status =
                  http.send(
                          HttpRequest.newBuilder(URI.create(call.get("progressUrl").asText()))
                              .header("Authorization", "Bearer " + call.get("jobToken").asText())
                              .header("Content-Type", "application/json")
                              .POST(
                                  HttpRequest.BodyPublishers.ofString(
                                      "{\"done\": 5, \"total\": 10, \"message\": \"half way, remotely\"}"))
                              .build(),
                          HttpResponse.BodyHandlers.discarding())
                      .statusCode();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          progressAnswers.add(status);
          byte[] body = "{\"remote\": true}".getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    endpoint.start();
  }

  @AfterEach
  void tearDown() {
    endpoint.stop(0);
  }

  private String pushUrl() {
    return "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/push";
  }

  @Test
  void aPushCarriesTheServersOwnProgressUrlAndPostingToItIsSeen() throws Exception {
    assertThat(Cli.run("migrate", store).code()).isZero();
    Cli.Result bound = Cli.run("queues", "set", "default", store, "--push-url", pushUrl());
    assertThat(bound.code()).as(bound.toString()).isZero();
    Cli.Worker serve = Cli.startWorker("serve", store, "--port", "0", "--shutdown-grace", "1s");
    try {
      String base = await().atMost(Duration.ofSeconds(20)).until(() -> url(serve), u -> u != null);

      HttpResponse<String> enqueued =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/jobs"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"kind\": \"demo.sleep\", \"args\": {\"ms\": 1}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(enqueued.statusCode()).as(enqueued.body()).isEqualTo(202);
      long id = JSON.readTree(enqueued.body()).get("id").asLong();

      JsonNode call = deliveries.poll(30, TimeUnit.SECONDS);
      assertThat(call).as("the endpoint was called").isNotNull();
      assertThat(call.get("progressUrl").asText())
          .isEqualTo(base + "/api/jobs/" + id + "/progress");
      assertThat(progressAnswers.poll(30, TimeUnit.SECONDS)).isEqualTo(204);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> job(base, id).get("state").asText().equals("succeeded"));
      JsonNode job = job(base, id);
      assertThat(job.get("result").get("remote").asBoolean()).isTrue();
      assertThat(job.get("progress").get("message").asText()).isEqualTo("half way, remotely");
    } finally {
      Cli.Result stopped = serve.stop();
      assertThat(stopped.code()).as(stopped.toString()).isZero();
    }
  }

  @Test
  void publicUrlOverridesTheListeningUrlAndAMalformedOneIsABadUsage() throws Exception {
    assertThat(Cli.run("migrate", store).code()).isZero();
    assertThat(Cli.run("queues", "set", "default", store, "--push-url", pushUrl()).code()).isZero();
    Cli.Worker worker =
        Cli.startWorker(
            "worker",
            store,
            "--public-url",
            "https://offload.example.com/ops",
            "--shutdown-grace",
            "1s");
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> worker.out().contains("started"));
      Cli.Result enqueued = Cli.run("enqueue", "demo.sleep", "--args", "{\"ms\": 1}", store);
      assertThat(enqueued.code()).as(enqueued.toString()).isZero();
      JsonNode call = deliveries.poll(30, TimeUnit.SECONDS);
      assertThat(call).as("the endpoint was called").isNotNull();
      assertThat(call.get("progressUrl").asText())
          .isEqualTo(
              "https://offload.example.com/ops/api/jobs/" + call.get("id").asLong() + "/progress");
    } finally {
      worker.stop();
    }

    Cli.Result bad = Cli.run("serve", store, "--port", "0", "--public-url", "offload.example.com");
    assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).contains("--public-url").contains("absolute http(s) URL");
  }

  private JsonNode job(String base, long id) throws Exception {
    return JSON.readTree(
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/jobs/" + id)).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  private static String url(Cli.Worker serve) {
    Matcher m = URL.matcher(serve.out());
    return m.find() ? m.group(1) : null;
  }
}
