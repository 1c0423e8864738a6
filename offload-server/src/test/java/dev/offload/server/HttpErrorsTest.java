package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.server.SseClient.Result;
import dev.offload.server.TestServer.Res;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors of the HTTP layer itself (issue 11, items 15, 16, 18): strict JSON, Jetty's own errors as
 * problem+json in UTF-8, and {@code Last-Event-ID} values no long can hold. Raw sockets send what
 * {@code HttpClient} refuses to.
 */
class HttpErrorsTest {
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

  private static void assertProblem(Res r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).isEqualTo("application/problem+json; charset=utf-8");
    assertThat(r.json().get("status").asInt()).isEqualTo(status);
  }

  // ---------------------------------------------------------------- item 15: strict JSON

  @Test
  void trailingDataAfterTheDocumentIs400() {
    for (String body :
        new String[] {
          "{\"kind\": \"echo\"} x",
          "{\"kind\": \"echo\"}{}",
          "{\"kind\": \"echo\"}]",
          "{\"kind\": \"echo\"} {\"kind\": \"fail\"}"
        }) {
      Res r = t.post("/api/jobs", body);
      assertProblem(r, 400);
      assertThat(r.json().get("detail").asText()).startsWith("malformed JSON");
    }
    assertProblem(t.post("/api/dead/replay", "{} []"), 400);
    assertThat(t.get("/api/jobs").json().get("jobs")).isEmpty();
  }

  @Test
  void duplicateKeysAre400() {
    Res top = t.post("/api/jobs", "{\"kind\": \"echo\", \"kind\": \"fail\"}");
    assertProblem(top, 400);
    assertThat(top.json().get("detail").asText()).contains("Duplicate field 'kind'");
    assertProblem(
        t.post(
            "/api/jobs",
            "{\"kind\": \"echo\", \"args\": {\"to\": \"a\", \"x\": {\"to\": 1}, \"to\": \"b\"}}"),
        400);
    assertProblem(t.post("/api/dead/replay", "{\"kind\": \"a\", \"kind\": \"b\"}"), 400);
    assertThat(t.get("/api/jobs").json().get("jobs")).isEmpty();
  }

  // ---------------------------------------------------------------- item 16: Jetty's own errors

  /** Sends raw bytes and reads the whole answer (the server closes after an error). */
  private Res raw(String head, byte[] body) throws IOException {
    try (Socket s = new Socket("127.0.0.1", t.server.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      try {
        while ((n = in.read(buf)) > 0) {
          all.write(buf, 0, n);
          String text = all.toString(StandardCharsets.UTF_8);
          int end = text.indexOf("\r\n\r\n");
          if (end > 0) {
            var len =
                java.util.regex.Pattern.compile("(?im)^content-length: *(\\d+)")
                    .matcher(text.substring(0, end));
            if (len.find() && all.size() >= end + 4 + Integer.parseInt(len.group(1))) {
              break;
            }
          }
        }
      } catch (java.net.SocketException e) {
        // The server may reset the connection after answering an oversized request.
      }
      String text = all.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      assertThat(end).as("an HTTP answer in %s", text).isPositive();
      String[] lines = text.substring(0, end).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      java.util.Map<String, java.util.List<String>> headers =
          new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers
            .computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new java.util.ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
      return new Res(
          status, java.net.http.HttpHeaders.of(headers, (a, b) -> true), text.substring(end + 4));
    }
  }

  @Test
  void errorsJettyAnswersItselfAreProblemJson() throws IOException {
    String host = "Host: 127.0.0.1:" + t.server.port() + "\r\n";
    assertProblem(raw("GET /api/jobs/%zz HTTP/1.1\r\n" + host + "\r\n", null), 400);
    assertProblem(
        raw("GET /api/jobs?x=" + "a".repeat(70_000) + " HTTP/1.1\r\n" + host + "\r\n", null), 414);
    assertProblem(
        raw(
            "GET /api/jobs HTTP/1.1\r\n" + host + "X-Big: " + "b".repeat(70_000) + "\r\n\r\n",
            null),
        431);
    Res tooLarge =
        raw(
            "POST /api/jobs HTTP/1.1\r\n"
                + host
                + "Content-Type: application/json\r\n"
                + "Content-Length: 5000000000\r\n\r\n",
            "{\"kind\": \"echo\"".getBytes(StandardCharsets.UTF_8));
    assertProblem(tooLarge, 413);
  }

  @Test
  void everyProblemSaysItsCharsetIsUtf8() {
    assertProblem(t.get("/api/jobs/999999"), 404);
    assertProblem(t.get("/api/nowhere"), 404);
    assertProblem(t.post("/api/jobs", "{\"kind\": \"no.such.kind.é\"}"), 422);
    Res unknown = t.post("/api/jobs", "{\"kind\": \"échec\"}");
    assertProblem(unknown, 422);
    // The detail quotes the value in UTF-8, not as ISO-8859-1 question marks.
    assertThat(unknown.json().get("detail").asText()).contains("'échec'");
  }

  // ---------------------------------------------------------------- item 18: Last-Event-ID

  @Test
  void lastEventIdBeyondWhatIdsCanContinueFromIsIgnored() throws Exception {
    long id = t.enqueue("echo", Map.of());
    for (String lastId :
        new String[] {
          "99999999999999999999999", "9223372036854775807", "-5", "4503599627370497", "x"
        }) {
      Result r =
          SseClient.readToEnd(
              t.http,
              t.request("/api/jobs/" + id + "/events")
                  .header("Last-Event-ID", lastId)
                  .GET()
                  .build(),
              30_000);
      assertThat(r.status()).as(lastId).isEqualTo(200);
      assertThat(r.events()).as(lastId).isNotEmpty();
      assertThat(r.events().get(0).id()).as(lastId).isEqualTo("1");
    }
    Result resumed =
        SseClient.readToEnd(
            t.http,
            t.request("/api/jobs/" + id + "/events").header("Last-Event-ID", "41").GET().build(),
            30_000);
    assertThat(resumed.events().get(0).id()).isEqualTo("42");
  }
}
