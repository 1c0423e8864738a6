package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.Offload.Outcome;
import dev.offload.server.SseClient.Result;
import dev.offload.server.TestServer.Res;
import dev.offload.sqlite.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress for end users over real HTTP: a job's read token ({@link Offload#progressToken}) opens
 * that job's document and event stream without the admin token, shows no args, and opens nothing
 * else; a bad, expired or other job's token is 403.
 */
class ProgressTokenApiTest {
  static final String ADMIN = "admin-token-of-the-test";
  static final byte[] KEY = "progress key of the test, 32 b!!".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  TestServer t;

  @BeforeEach
  void start() {
    t =
        TestServer.start(
            SqliteStore.open(dir.resolve("offload.db")),
            /* workers= */ true,
            o -> o.progressKey(KEY),
            s -> s.token(ADMIN));
  }

  @AfterEach
  void stop() {
    t.close();
  }

  long enqueue(String kind, String args) {
    return t.offload.enqueue(kind, dev.offload.internal.Json.tree(args)).value();
  }

  @Test
  void aGoodTokenReadsItsJobWithoutTheAdminTokenAndWithoutArgs() {
    long id = enqueue("steps", "{\"steps\": 4, \"delayMs\": 5, \"secret\": \"card 4111\"}");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> t.offload.job(new JobId(id)).orElseThrow().state().isFinal());
    String url = t.offload.progressUrl(new JobId(id));

    Res r = t.get(url);

    assertThat(url).startsWith("/api/jobs/" + id + "?token=");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
    JsonNode job = r.json();
    assertThat(job.get("id").asLong()).isEqualTo(id);
    assertThat(job.get("state").asText()).isEqualTo("succeeded");
    assertThat(job.get("progress").get("percent").asDouble()).isEqualTo(100.0);
    assertThat(job.get("progress").get("message").asText()).isEqualTo("Processed 4 of 4 items");
    assertThat(job.get("result").get("steps").asInt()).isEqualTo(4);
    assertThat(job.has("args")).isFalse();
    assertThat(job.has("checkpoint")).isFalse();
    assertThat(job.has("node")).isFalse();
    assertThat(r.body()).doesNotContain("4111");
  }

  @Test
  void aGoodTokenOpensTheJobsEventStreamToTheEnd() throws Exception {
    long id = enqueue("steps", "{\"steps\": 20, \"delayMs\": 20}");
    String token = t.offload.progressToken(new JobId(id));

    Result stream =
        SseClient.read(
            t.http,
            t.request("/api/jobs/" + id + "/events?token=" + token).GET().build(),
            e -> e.data().contains("\"succeeded\""),
            30_000);

    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.contentType()).startsWith("text/event-stream");
    assertThat(stream.events()).isNotEmpty();
    JsonNode last =
        dev.offload.internal.Json.tree(stream.events().get(stream.events().size() - 1).data());
    assertThat(last.get("state").asText()).isEqualTo("succeeded");
    assertThat(last.get("result").get("steps").asInt()).isEqualTo(20);
    assertThat(stream.events()).allSatisfy(e -> assertThat(e.data()).doesNotContain("\"args\""));
  }

  @Test
  void aBadExpiredOrOtherJobsTokenIs403() {
    long id = enqueue("echo", "{}");
    long other = enqueue("echo", "{}");
    String good = t.offload.progressToken(new JobId(id));
    String expired;
    Clock twoHoursAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
    try (Offload earlier =
        Offload.builder()
            .store(SqliteStore.open(dir.resolve("other.db")))
            .progressKey(KEY)
            .clock(twoHoursAgo)
            .build()) {
      expired = earlier.progressToken(new JobId(id), Duration.ofHours(1));
      assertThat(
              t.get("/api/jobs/" + id + "?token=" + earlier.progressToken(new JobId(id))).status())
          .as("the same key on another node with a live token")
          .isEqualTo(200);
    }
    String otherKey;
    try (Offload foreign =
        Offload.builder()
            .store(SqliteStore.open(dir.resolve("foreign.db")))
            .progressKey("a different key, thirty-two byte".getBytes(StandardCharsets.US_ASCII))
            .build()) {
      otherKey = foreign.progressToken(new JobId(id));
    }

    assertThat(t.get("/api/jobs/" + id + "?token=" + good).status()).isEqualTo(200);
    for (String path : new String[] {"/api/jobs/" + id, "/api/jobs/" + id + "/events"}) {
      for (Map.Entry<String, String> bad :
          Map.of(
                  "bad",
                  "123.not-a-signature",
                  "empty",
                  "",
                  "expired",
                  expired,
                  "other job's",
                  t.offload.progressToken(new JobId(other)),
                  "another key's",
                  otherKey)
              .entrySet()) {
        Res r = t.get(path + "?token=" + bad.getValue());
        assertThat(r.status()).as("%s with a %s token", path, bad.getKey()).isEqualTo(403);
        assertThat(r.contentType()).as(path).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).contains("progress token is not valid");
      }
    }
    // A bad read token is refused even beside a good admin token: the token decides.
    Res both =
        t.send(
            t.request("/api/jobs/" + id + "?token=nope")
                .header("Authorization", "Bearer " + ADMIN)
                .GET());
    assertThat(both.status()).isEqualTo(403);
    assertThat(t.get("/api/jobs/abc?token=" + good).status()).isEqualTo(403);
  }

  @Test
  void aTokenOpensNoOtherEndpoint() {
    long id = enqueue("block", "{}");
    String token = t.offload.progressToken(new JobId(id));
    String q = "?token=" + token;

    assertThat(t.get("/api/jobs" + q).status()).isEqualTo(401);
    assertThat(t.get("/api/queues" + q).status()).isEqualTo(401);
    assertThat(t.get("/api/events" + q).status()).isEqualTo(401);
    assertThat(t.get("/api/kinds" + q).status()).isEqualTo(401);
    assertThat(t.get("/api/schedules" + q).status()).isEqualTo(401);
    assertThat(t.post("/api/jobs/" + id + "/cancel" + q).status()).isEqualTo(401);
    assertThat(t.post("/api/jobs/" + id + "/retry" + q).status()).isEqualTo(401);
    assertThat(t.delete("/api/jobs/" + id + q).status()).isEqualTo(401);
    assertThat(t.post("/api/jobs" + q, "{\"kind\": \"echo\"}").status()).isEqualTo(401);
    assertThat(t.get("/api/jobs/" + id + "/events?access_token=" + token).status())
        .as("a read token is not an admin token")
        .isEqualTo(401);
    assertThat(t.offload.job(new JobId(id)).orElseThrow().state().isFinal()).isFalse();
    t.offload.cancel(new JobId(id));
  }

  @Test
  void runOrDeferAnswersTheSignedUrlWhenTheJobIsDeferred() throws Exception {
    Outcome<JsonNode> outcome =
        t.offload.runOrDefer("block", dev.offload.internal.Json.object(), Duration.ofMillis(100));

    assertThat(outcome).isInstanceOf(Outcome.Deferred.class);
    assertThat(outcome.progressUrl()).startsWith("/api/jobs/" + outcome.id().value() + "?token=");
    Res r = t.get(outcome.progressUrl());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().has("args")).isFalse();
    t.offload.cancel(outcome.id());
  }

  @Test
  void theAdminTokenStillReadsTheWholeJob() {
    long id = enqueue("echo", "{\"x\": 1}");
    Res r = t.send(t.request("/api/jobs/" + id).header("Authorization", "Bearer " + ADMIN).GET());

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("args").get("x").asInt()).isEqualTo(1);
    assertThat(r.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void aServerWithoutAProgressKeyRefusesEveryTokenAndIssuesNone() throws Exception {
    try (TestServer plain = TestServer.start(dir.resolve("plain"), b -> {})) {
      long id = plain.enqueue("echo", Map.of());
      assertThatThrownBy(() -> plain.offload.progressToken(new JobId(id)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("progressKey");
      assertThat(
              plain
                  .get("/api/jobs/" + id + "?token=" + t.offload.progressToken(new JobId(id)))
                  .status())
          .isEqualTo(403);
      assertThat(plain.get("/api/jobs/" + id).status())
          .as("no admin token on loopback: open as before")
          .isEqualTo(200);
    }
  }

  @Test
  void aShortKeyOrTtlIsRefused() {
    Offload.Builder b =
        Offload.builder().store(SqliteStore.open(dir.resolve("short.db"))).progressKey(new byte[8]);
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("progressKey must be at least 16 bytes");
    assertThatThrownBy(() -> t.offload.progressToken(new JobId(1), Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl");
  }
}
