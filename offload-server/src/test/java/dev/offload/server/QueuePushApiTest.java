package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.offload.QueueOptions;
import dev.offload.server.TestServer.Res;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The push binding of a queue over HTTP: {@code PUT /api/queues/{name}} with {@code pushUrl,
 * pushTimeout, pushSecretEnv, allowHttp} and {@code GET /api/queues}, against a real loopback
 * endpoint that the bound queue's jobs then reach.
 */
class QueuePushApiTest {
  @TempDir Path dir;

  private TestServer t;
  private HttpServer endpoint;
  private final AtomicInteger delivered = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    t = TestServer.start(dir);
    endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    endpoint.createContext(
        "/push",
        ex -> {
          ex.getRequestBody().readAllBytes();
          delivered.incrementAndGet();
          byte[] body = "{\"by\":\"endpoint\"}".getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    endpoint.start();
  }

  @AfterEach
  void stop() {
    t.close();
    endpoint.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/push";
  }

  private Res put(String name, String json) {
    return t.send(
        t.request("/api/queues/" + name)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  private JsonNode queue(String name) {
    for (JsonNode q : t.get("/api/queues").json().get("queues")) {
      if (q.get("name").asText().equals(name)) {
        return q;
      }
    }
    throw new AssertionError("no queue " + name + " in GET /api/queues");
  }

  @Test
  void putBindsTheQueueItsJobsReachTheEndpointAndNullUnbinds() {
    Res bound =
        put(
            "reports",
            "{\"maxRunning\": 2, \"pushUrl\": \""
                + url()
                + "\", \"pushTimeout\": \"30s\", \"pushSecretEnv\": \"REPORTS_SECRET\"}");
    assertThat(bound.status()).as(bound.body()).isEqualTo(200);
    assertThat(bound.json().get("pushUrl").asText()).isEqualTo(url());
    assertThat(bound.json().get("pushTimeout").asText()).isEqualTo("30s");
    assertThat(bound.json().get("pushSecretEnv").asText()).isEqualTo("REPORTS_SECRET");
    assertThat(bound.json().get("allowHttp").asBoolean()).isFalse();
    QueueOptions.Push stored = t.offload.queueOptions("reports").push();
    assertThat(stored).isNotNull();
    assertThat(stored.url().toString()).isEqualTo(url());
    assertThat(stored.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(queue("reports").get("pushUrl").asText()).isEqualTo(url());
    assertThat(queue("default").get("pushUrl").isNull()).isTrue();

    // A PUT of limits alone keeps the binding.
    assertThat(put("reports", "{\"maxRunning\": 3}").status()).isEqualTo(200);
    assertThat(queue("reports").get("pushUrl").asText()).isEqualTo(url());
    assertThat(queue("reports").get("maxRunning").asInt()).isEqualTo(3);

    // Push fields without a pushUrl change the current binding: no secret (its variable is not
    // set in this JVM, and a node refuses to push unsigned when one is named).
    Res unsigned = put("reports", "{\"maxRunning\": 3, \"pushSecretEnv\": null}");
    assertThat(unsigned.status()).as(unsigned.body()).isEqualTo(200);
    assertThat(unsigned.json().get("pushSecretEnv").isNull()).isTrue();
    assertThat(unsigned.json().get("pushUrl").asText()).isEqualTo(url());
    assertThat(unsigned.json().get("pushTimeout").asText()).isEqualTo("30s");

    // The queue's jobs now go to the endpoint, whose answer is the result.
    long pushed = t.enqueue("reports.render", Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> t.state(pushed).equals("succeeded"));
    assertThat(t.job(pushed).get("result").get("by").asText()).isEqualTo("endpoint");
    assertThat(delivered.get()).isEqualTo(1);

    Res unbound = put("reports", "{\"pushUrl\": null}");
    assertThat(unbound.status()).as(unbound.body()).isEqualTo(200);
    assertThat(unbound.json().get("pushUrl").isNull()).isTrue();
    assertThat(unbound.json().get("pushTimeout").isNull()).isTrue();
    assertThat(t.offload.queueOptions("reports").push()).isNull();
    long local = t.enqueue("reports.render", Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> t.state(local).equals("succeeded"));
    assertThat(t.job(local).get("result").isNull()).isTrue();
    assertThat(delivered.get()).isEqualTo(1);
  }

  @Test
  void badPushSettingsAre422NamingTheFieldAndChangeNothing() {
    assertInvalid("{\"pushUrl\": \"http://orders.example.com/push\"}", "pushUrl", "must use https");
    assertInvalid("{\"pushUrl\": \"http://169.254.169.254/latest\"}", "pushUrl", "metadata");
    assertInvalid("{\"pushUrl\": \"ftp://example.com/x\"}", "pushUrl", "absolute http(s) URL");
    assertInvalid("{\"pushUrl\": 42}", "pushUrl", "must be a URL string");
    assertInvalid(
        "{\"pushUrl\": \"" + url() + "\", \"pushTimeout\": \"2h\"}",
        "pushTimeout",
        "between 100ms and 1h");
    assertInvalid(
        "{\"pushUrl\": \"" + url() + "\", \"pushTimeout\": \"soon\"}", "pushTimeout", "duration");
    assertInvalid(
        "{\"pushUrl\": \"" + url() + "\", \"pushSecretEnv\": \"not a name\"}",
        "pushSecretEnv",
        "environment variable");
    assertInvalid("{\"pushTimeout\": \"10s\"}", "pushTimeout", "need a push URL (pushUrl)");
    assertInvalid(
        "{\"pushUrl\": \"" + url() + "\", \"allowHttp\": \"yes\"}", "allowHttp", "true or false");
    assertThat(t.offload.queueOptions("reports").push()).isNull();

    // allowHttp lets plain http reach a host that is not loopback, as --allow-http does.
    Res allowed =
        put("reports", "{\"pushUrl\": \"http://orders.example.com/push\", \"allowHttp\": true}");
    assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
    assertThat(allowed.json().get("allowHttp").asBoolean()).isTrue();
    put("reports", "{\"pushUrl\": null}");
  }

  private void assertInvalid(String body, String field, String detail) {
    Res r = put("reports", body);
    assertThat(r.status()).as(body + " → " + r.body()).isEqualTo(422);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("field").asText()).as(r.body()).isEqualTo(field);
    assertThat(r.json().get("detail").asText()).contains(detail);
  }
}
