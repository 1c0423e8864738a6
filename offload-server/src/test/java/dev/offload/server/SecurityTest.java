package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Offload;
import dev.offload.server.SseClient.Result;
import dev.offload.server.TestServer.Res;
import dev.offload.sqlite.SqliteStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token, the loopback rules without one, and that job data never reaches HTML unescaped. */
class SecurityTest {
  static final String TOKEN = "s3cret-token-for-tests";

  @TempDir Path dir;

  @Test
  void everyApiRouteNeedsTheToken() {
    try (TestServer t = TestServer.start(dir, b -> b.token(TOKEN))) {
      for (String path :
          new String[] {
            "/api/jobs",
            "/api/jobs/1",
            "/api/queues",
            "/api/kinds",
            "/api/jobs/1/events",
            "/api/events"
          }) {
        Res r = t.get(path);
        assertThat(r.status()).as(path).isEqualTo(401);
        assertThat(r.contentType()).as(path).startsWith("application/problem+json");
        assertThat(r.header("WWW-Authenticate")).as(path).startsWith("Bearer");
        assertThat(r.json().get("detail").asText()).contains("Authorization: Bearer");
      }
      assertThat(t.post("/api/jobs", "{\"kind\": \"echo\"}").status()).isEqualTo(401);
      assertThat(t.post("/api/jobs/1/cancel").status()).isEqualTo(401);
      assertThat(t.post("/api/jobs/1/retry").status()).isEqualTo(401);
      assertThat(t.delete("/api/jobs/1").status()).isEqualTo(401);
      assertThat(t.post("/api/dead/replay").status()).isEqualTo(401);
      assertThat(t.post("/api/queues/default/pause").status()).isEqualTo(401);

      Res wrong = t.send(t.request("/api/jobs").header("Authorization", "Bearer nope").GET());
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.json().get("detail").asText()).isEqualTo("the bearer token is wrong");

      Res right = t.send(t.request("/api/jobs").header("Authorization", "Bearer " + TOKEN).GET());
      assertThat(right.status()).isEqualTo(200);
      Res enqueued =
          t.send(
              t.request("/api/jobs")
                  .header("Authorization", "Bearer " + TOKEN)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"kind\": \"echo\"}")));
      assertThat(enqueued.status()).isEqualTo(202);

      // The dashboard's files, /health and /metrics hold no job data and need no token.
      assertThat(t.get("/").status()).isEqualTo(200);
      assertThat(t.get("/health").status()).isEqualTo(200);
      assertThat(t.get("/metrics").status()).isEqualTo(200);
    }
  }

  @Test
  void eventStreamsAlsoTakeTheTokenAsAQueryParameterButOtherRoutesDoNot() throws Exception {
    try (TestServer t = TestServer.start(dir, b -> b.token(TOKEN))) {
      assertThat(t.get("/api/jobs?access_token=" + TOKEN).status()).isEqualTo(401);
      Result feed =
          SseClient.read(
              t.http,
              t.request("/api/events?access_token=" + TOKEN).GET().build(),
              e -> true,
              10_000);
      assertThat(feed.status()).isEqualTo(200);
      assertThat(feed.events()).isNotEmpty();
      assertThat(t.get("/api/events?access_token=wrong").status()).isEqualTo(401);
    }
  }

  @Test
  void bindingBeyondLoopbackWithoutATokenIsRefused() {
    try (Offload offload = Offload.builder().store(SqliteStore.open(dir.resolve("o.db"))).build()) {
      assertThatThrownBy(() -> OffloadServer.builder(offload).bind("0.0.0.0").build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("refusing to listen on 0.0.0.0 without a token")
          .hasMessageContaining("--token");
      assertThatThrownBy(() -> OffloadServer.builder(offload).token(" ").build())
          .hasMessageContaining("token must not be blank");
      // With a token it may; and loopback names are fine without one.
      OffloadServer.builder(offload).bind("0.0.0.0").token(TOKEN).port(0).build();
      OffloadServer.builder(offload).bind("localhost").port(0).build();
    }
  }

  @Test
  void withoutATokenOnlyLoopbackHostsAndSameOriginWritesAreServed() throws IOException {
    try (TestServer t = TestServer.start(dir)) {
      // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends Host: evil.example.
      String rebound = rawGet(t, "/api/jobs", "evil.example:" + t.server.port());
      assertThat(rebound).startsWith("HTTP/1.1 403").contains("not a loopback name");
      assertThat(rawGet(t, "/api/jobs", "localhost:" + t.server.port())).startsWith("HTTP/1.1 200");
      assertThat(rawGet(t, "/api/jobs", "[::1]:" + t.server.port())).startsWith("HTTP/1.1 200");

      // A cross-site form post to 127.0.0.1.
      Res cross =
          t.send(
              t.request("/api/dead/replay")
                  .header("Origin", "https://evil.example")
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(cross.status()).isEqualTo(403);
      assertThat(cross.json().get("detail").asText())
          .contains("cross-origin request from https://evil.example refused");

      Res same =
          t.send(
              t.request("/api/dead/replay")
                  .header("Origin", "http://127.0.0.1:" + t.server.port())
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(same.status()).isEqualTo(200);
    }
  }

  /** A GET with a Host header of our choosing, which java.net.http does not allow to set. */
  private static String rawGet(TestServer t, String path, String host) throws IOException {
    try (Socket s = new Socket("127.0.0.1", t.server.port())) {
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void jobDataIsServedAsJsonOnlyAndTheDashboardInsertsItAsText() throws IOException {
    try (TestServer t = TestServer.start(dir)) {
      String evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
      long id = t.enqueue("echo", Map.of("name", evil));
      Res job = t.get("/api/jobs/" + id);
      assertThat(job.contentType()).startsWith("application/json");
      assertThat(job.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(job.json().get("args").get("name").asText()).isEqualTo(evil);

      Res page = t.get("/");
      assertThat(page.contentType()).startsWith("text/html");
      assertThat(page.body()).doesNotContain("<script>alert");
      String csp = page.header("Content-Security-Policy");
      assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline");
    }
    // The dashboard's script never hands data to an HTML parser: no innerHTML, outerHTML,
    // insertAdjacentHTML or document.write anywhere in it.
    try (InputStream in =
        Dashboard.class.getResourceAsStream("/dev/offload/server/dashboard/app.js")) {
      String js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(js)
          .doesNotContain(
              "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(");
    }
  }
}
