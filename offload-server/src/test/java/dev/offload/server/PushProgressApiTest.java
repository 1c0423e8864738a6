package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.QueueOptions;
import dev.offload.internal.Json;
import dev.offload.sqlite.SqliteStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/jobs/{id}/progress} against a real push queue: a loopback endpoint (the JDK's
 * {@link HttpServer}, as {@code PushContract}) is delivered each job and holds the call open until
 * the test lets it answer, so the job is running while the test reports its progress.
 */
class PushProgressApiTest {
  private static final String ADMIN = "admin-token-for-push-tests";

  @TempDir Path dir;

  private HttpServer endpoint;
  private ExecutorService threads;
  private final BlockingQueue<JsonNode> deliveries = new LinkedBlockingQueue<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile Consumer<JsonNode> duringCall = call -> {};
  private TestServer t;
  private String admin;

  @BeforeEach
  void startEndpoint() throws IOException {
    endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    threads = Executors.newFixedThreadPool(8);
    endpoint.setExecutor(threads);
    endpoint.createContext(
        "/push",
        ex -> {
          try {
            JsonNode call = Json.tree(new String(ex.getRequestBody().readAllBytes(), UTF8));
            deliveries.add(call);
            duringCall.accept(call);
            release.await(30, TimeUnit.SECONDS);
            answer(ex, 200, "{\"pushed\":true}");
          } catch (Exception e) {
            answer(ex, 500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
          }
        });
    endpoint.start();
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  @AfterEach
  void stop() {
    release.countDown();
    if (t != null) {
      t.close();
    }
    endpoint.stop(0);
    threads.shutdownNow();
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(UTF8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  /** A server with an admin token, a push queue {@code pushed} and the given public URL. */
  private TestServer start(URI publicUrl, int port) {
    return start(publicUrl, port, ADMIN);
  }

  private TestServer start(URI publicUrl, int port, String adminToken) {
    admin = adminToken;
    TestServer s =
        TestServer.start(
            SqliteStore.open(dir.resolve("offload.db")),
            /* workers= */ true,
            b -> {
              b.queue("pushed", 4)
                  .register(
                      "remote",
                      JsonNode.class,
                      (args, ctx) -> {
                        throw new AssertionError("a push job must not run on a handler");
                      },
                      JobOptions.defaults().queue("pushed").maxAttempts(1))
                  .register(
                      "remote.twice",
                      JsonNode.class,
                      (args, ctx) -> {
                        throw new AssertionError("a push job must not run on a handler");
                      },
                      JobOptions.defaults()
                          .queue("pushed")
                          .maxAttempts(2)
                          .retryPolicy(RetryPolicy.immediate()));
              b.progressKey("a progress key of thirty-two bytes!".getBytes(UTF8));
              if (publicUrl != null) {
                b.publicUrl(publicUrl);
              }
            },
            b -> b.token(adminToken).port(port));
    s.offload.updateQueue(
        "pushed",
        QueueOptions.none()
            .push(
                QueueOptions.Push.to(
                    "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/push")));
    return s;
  }

  private long enqueueRemote() {
    return enqueue("remote");
  }

  private long enqueue(String kind) {
    TestServer.Res r =
        t.send(
            t.request("/api/jobs")
                .header("Authorization", "Bearer " + (admin == null ? "none" : admin))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\":\"" + kind + "\",\"args\":{}}")));
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.json().get("id").asLong();
  }

  private String adminToken() {
    return admin;
  }

  private JsonNode adminJob(long id) {
    HttpRequest.Builder r = t.request("/api/jobs/" + id).GET();
    if (adminToken() != null) {
      r.header("Authorization", "Bearer " + ADMIN);
    }
    return t.send(r).json();
  }

  private TestServer.Res report(long id, String token, String body) {
    HttpRequest.Builder r =
        t.request("/api/jobs/" + id + "/progress")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return t.send(r);
  }

  private JsonNode awaitDelivery() throws InterruptedException {
    JsonNode call = deliveries.poll(30, TimeUnit.SECONDS);
    assertThat(call).as("the endpoint was delivered the job").isNotNull();
    return call;
  }

  @Test
  void progressReportedMidCallIsSeenByAWatcherWithoutTheAdminToken() throws Exception {
    t = start(null, 0);
    long id = enqueueRemote();
    JsonNode call = awaitDelivery();
    String token = call.get("jobToken").asText();

    TestServer.Res r =
        report(
            id,
            token,
            "{\"done\":3,\"total\":10,\"stage\":\"copying\",\"message\":\"3 of 10 copied\","
                + "\"failedItems\":[{\"key\":\"row-2\",\"error\":\"duplicate\"}],"
                + "\"checkpoint\":{\"next\":4}}");
    assertThat(r.status()).as(r.body()).isEqualTo(204);

    JsonNode job = adminJob(id);
    assertThat(job.get("state").asText()).isEqualTo("running");
    assertThat(job.get("progress").get("message").asText()).isEqualTo("3 of 10 copied");
    assertThat(job.get("progress").get("percent").asDouble()).isEqualTo(30.0);
    assertThat(job.get("progress").get("stage").asText()).isEqualTo("copying");
    assertThat(job.get("checkpoint").get("next").asInt()).isEqualTo(4);
    assertThat(job.get("failedItems").get("count").asLong()).isEqualTo(1);

    // A watcher on the SSE stream sees the next report live, while the call is still open.
    CountDownLatch watching = new CountDownLatch(1);
    var sse =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            watching.countDown();
            return SseClient.read(
                t.http,
                t.request("/api/jobs/" + id + "/events")
                    .header("Authorization", "Bearer " + ADMIN)
                    .GET()
                    .build(),
                e -> e.event().equals("progress") && e.data().contains("7 of 10 copied"),
                30_000);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    watching.await();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> {
          report(id, token, "{\"done\":7,\"total\":10,\"message\":\"7 of 10 copied\"}");
          return sse.isDone();
        });
    SseClient.Result events = sse.get();
    assertThat(events.status()).isEqualTo(200);
    assertThat(events.events()).extracting(SseClient.Event::event).contains("progress");

    release.countDown();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> adminJob(id).get("state").asText().equals("succeeded"));
    // The attempt is over: the receiver stops on 409.
    TestServer.Res after = report(id, token, "{\"percent\":99}");
    assertThat(after.status()).as(after.body()).isEqualTo(409);
    assertThat(after.contentType()).startsWith("application/problem+json");
  }

  @Test
  void wrongOtherJobsAndMissingTokensAreRefused() throws Exception {
    t = start(null, 0);
    long first = enqueueRemote();
    long second = enqueueRemote();
    JsonNode a = awaitDelivery();
    JsonNode b = awaitDelivery();
    String tokenA =
        a.get("id").asLong() == first ? a.get("jobToken").asText() : b.get("jobToken").asText();
    String tokenB =
        a.get("id").asLong() == first ? b.get("jobToken").asText() : a.get("jobToken").asText();

    TestServer.Res other = report(first, tokenB, "{\"percent\":50}");
    assertThat(other.status()).as(other.body()).isEqualTo(403);
    assertThat(other.contentType()).startsWith("application/problem+json");
    TestServer.Res madeUp =
        report(first, first + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "{}");
    assertThat(madeUp.status()).isEqualTo(403);
    // Neither the admin token nor a read token is a job token.
    assertThat(report(first, ADMIN, "{\"percent\":50}").status()).isEqualTo(403);
    String readToken = t.offload.progressToken(new dev.offload.Job.JobId(first));
    assertThat(report(first, readToken, "{\"percent\":50}").status()).isEqualTo(403);
    TestServer.Res queryToken =
        t.post("/api/jobs/" + first + "/progress?token=" + readToken, "{\"percent\":50}");
    assertThat(queryToken.status()).isEqualTo(401);
    TestServer.Res none = report(first, null, "{\"percent\":50}");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("WWW-Authenticate")).contains("Bearer");
    assertThat(
            adminJob(first).get("progress").isNull()
                || adminJob(first).get("progress").isMissingNode())
        .as("nothing was written by the refused reports: %s", adminJob(first))
        .isTrue();

    assertThat(report(second, tokenB, "{\"percent\":10}").status()).isEqualTo(204);
    assertThat(report(second, tokenA, "{\"percent\":10}").status()).isEqualTo(403);
  }

  @Test
  void anOlderAttemptsTokenIsRefused() throws Exception {
    t = start(null, 0);
    // The first attempt's call fails (500), so a second attempt is delivered with a new token.
    duringCall =
        call -> {
          if (call.get("attempt").asInt() == 1) {
            throw new IllegalStateException("first attempt fails");
          }
        };
    long id = enqueue("remote.twice");
    JsonNode first = awaitDelivery();
    JsonNode second = awaitDelivery();
    assertThat(first.get("attempt").asInt()).isEqualTo(1);
    assertThat(second.get("attempt").asInt()).isEqualTo(2);
    String stale = first.get("jobToken").asText();
    String current = second.get("jobToken").asText();
    assertThat(stale).isNotEqualTo(current);

    TestServer.Res old = report(id, stale, "{\"message\":\"from the past\"}");
    assertThat(old.status()).as(old.body()).isEqualTo(403);
    assertThat(report(id, current, "{\"message\":\"now\"}").status()).isEqualTo(204);
    assertThat(adminJob(id).get("progress").get("message").asText()).isEqualTo("now");
  }

  @Test
  void aCrossOriginBrowserPostIsRefusedOnAServerWithoutATokenAsEveryWrite() throws Exception {
    t = start(null, 0, null);
    long id = enqueueRemote();
    String token = awaitDelivery().get("jobToken").asText();
    TestServer.Res fromPage =
        t.send(
            t.request("/api/jobs/" + id + "/progress")
                .header("Authorization", "Bearer " + token)
                .header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("{\"percent\":5}")));
    assertThat(fromPage.status()).as(fromPage.body()).isEqualTo(403);
    assertThat(fromPage.body()).contains("cross-origin");
    assertThat(fromPage.header("Access-Control-Allow-Origin")).isNull();
    // The same call from a server (no Origin) is written.
    assertThat(report(id, token, "{\"percent\":5}").status()).isEqualTo(204);
    assertThat(adminJob(id).get("progress").get("percent").asDouble()).isEqualTo(5.0);
  }

  @Test
  void aBadBodyIs422NamingTheField() throws Exception {
    t = start(null, 0);
    long id = enqueueRemote();
    String token = awaitDelivery().get("jobToken").asText();

    TestServer.Res percent = report(id, token, "{\"percent\":150}");
    assertThat(percent.status()).as(percent.body()).isEqualTo(422);
    assertThat(percent.json().get("field").asText()).isEqualTo("percent");
    TestServer.Res unknown = report(id, token, "{\"pct\":1}");
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.json().get("field").asText()).isEqualTo("pct");
    TestServer.Res items = report(id, token, "{\"failedItems\":{\"key\":1}}");
    assertThat(items.status()).isEqualTo(422);
    assertThat(items.json().get("field").asText()).isEqualTo("failedItems");
    TestServer.Res notJson = report(id, token, "{oops");
    assertThat(notJson.status()).isEqualTo(422);
    assertThat(notJson.json().get("field").asText()).isEqualTo("body");
    assertThat(adminJob(id).get("state").asText()).isEqualTo("running");
  }

  @Test
  void thePushCarriesAProgressUrlThatWorksEndToEnd() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    t = start(URI.create("http://127.0.0.1:" + port + "/"), port);
    duringCall =
        call -> {
          // The endpoint reports through the URL the push gave it, as offload-push does.
          String url = call.path("progressUrl").asText(null);
          if (url == null) {
            return;
          }
          try {
            var res =
                t.http.send(
                    HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + call.get("jobToken").asText())
                        .header("Content-Type", "application/json")
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"percent\":42,\"message\":\"from the endpoint\"}"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 204) {
              throw new IllegalStateException("progress answered " + res.statusCode());
            }
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        };
    long id = enqueueRemote();
    JsonNode call = awaitDelivery();
    assertThat(call.path("progressUrl").asText())
        .isEqualTo("http://127.0.0.1:" + port + "/api/jobs/" + id + "/progress");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() ->
            adminJob(id).path("progress").path("message").asText().equals("from the endpoint"));
    assertThat(adminJob(id).get("progress").get("percent").asDouble()).isEqualTo(42.0);
  }
}
