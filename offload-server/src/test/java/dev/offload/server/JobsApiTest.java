package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job.JobId;
import dev.offload.internal.Json;
import dev.offload.server.TestServer.Res;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job endpoints over real HTTP: every success and every error status of the contract. */
class JobsApiTest {
  @TempDir Path dir;

  TestServer t;

  @BeforeEach
  void start() {
    t = TestServer.start(dir, b -> b.maxBodyBytes(64 * 1024));
  }

  @AfterEach
  void stop() {
    t.close();
  }

  // ---------------------------------------------------------------- enqueue

  @Test
  void enqueueAnswers202WithLocationAndTheJob() {
    Res r =
        t.post(
            "/api/jobs",
            "{\"kind\": \"echo\", \"args\": {\"to\": \"a@example.com\"}, \"priority\": 3}");

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.contentType()).startsWith("application/json");
    long id = r.json().get("id").asLong();
    assertThat(r.header("Location")).isEqualTo("/api/jobs/" + id);
    assertThat(r.json().get("kind").asText()).isEqualTo("echo");
    assertThat(r.json().get("priority").asInt()).isEqualTo(3);
    assertThat(r.json().get("args").get("to").asText()).isEqualTo("a@example.com");
  }

  @Test
  void jobDocumentIsTheOneTheCliPrints() {
    long id = t.enqueue("echo", Map.of("n", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(id).equals("succeeded"));

    Res r = t.get("/api/jobs/" + id);

    assertThat(r.status()).isEqualTo(200);
    // `offload status --json` prints Json.write(offload.job(id)): the documents are equal.
    assertThat(r.json())
        .isEqualTo(Json.tree(Json.write(t.offload.job(new JobId(id)).orElseThrow())));
    assertThat(r.json().get("result").get("n").asInt()).isEqualTo(1);
    assertThat(r.json().has("progress")).isTrue();
    assertThat(r.json().has("errors")).isTrue();
    assertThat(r.json().get("createdAt").asText()).endsWith("Z");
  }

  @Test
  void enqueueWithWaitAnswers200WithTheFinishedJob() {
    Res r = t.post("/api/jobs", "{\"kind\": \"echo\", \"args\": {\"x\": 42}, \"wait\": \"10s\"}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("state").asText()).isEqualTo("succeeded");
    assertThat(r.json().get("result").get("x").asInt()).isEqualTo(42);
    assertThat(r.header("Location")).isEqualTo("/api/jobs/" + r.json().get("id").asLong());
  }

  @Test
  void enqueueWithWaitAnswers202WhenTheJobRunsLonger() {
    Res r = t.post("/api/jobs", "{\"kind\": \"block\", \"wait\": 200}");

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().get("state").asText()).isIn("available", "running");
    t.post("/api/jobs/" + r.json().get("id").asLong() + "/cancel");
  }

  @Test
  void sameIdempotencyKeyGivesTheSameJob() {
    HttpRequest.Builder req =
        t.request("/api/jobs")
            .header("Idempotency-Key", "order-1234")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"kind\": \"echo\", \"args\": {}, \"delay\": \"1h\"}"));
    Res first = t.send(req);
    Res second = t.send(req);
    Res other =
        t.send(
            t.request("/api/jobs")
                .header("Idempotency-Key", "order-5678")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\": \"echo\", \"args\": {}, \"delay\": \"1h\"}")));

    assertThat(first.status()).isEqualTo(202);
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.json().get("id")).isEqualTo(first.json().get("id"));
    assertThat(second.header("Location")).isEqualTo(first.header("Location"));
    assertThat(other.json().get("id")).isNotEqualTo(first.json().get("id"));
  }

  @Test
  void idempotencyKeyReusedWithOtherArgsIs422NamingTheKey() {
    Res first =
        t.send(
            t.request("/api/jobs")
                .header("Idempotency-Key", "order-4321")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\": \"echo\", \"args\": {\"n\": 1}, \"delay\": \"1h\"}")));
    Res other =
        t.send(
            t.request("/api/jobs")
                .header("Idempotency-Key", "order-4321")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\": \"echo\", \"args\": {\"n\": 2}, \"delay\": \"1h\"}")));

    assertThat(first.status()).isEqualTo(202);
    assertThat(other.status()).isEqualTo(422);
    assertThat(other.header("Content-Type")).startsWith("application/problem+json");
    assertThat(other.json().get("field").asText()).isEqualTo("Idempotency-Key");
    assertThat(other.json().get("detail").asText()).contains("order-4321");
  }

  @Test
  void delayAndRunAtScheduleTheJob() {
    Res delayed = t.post("/api/jobs", "{\"kind\": \"echo\", \"delay\": \"PT1H\"}");
    Res at = t.post("/api/jobs", "{\"kind\": \"echo\", \"runAt\": \"2099-01-31T09:00:00Z\"}");
    Res millis = t.post("/api/jobs", "{\"kind\": \"echo\", \"delay\": 3600000}");

    assertThat(delayed.json().get("state").asText()).isEqualTo("scheduled");
    assertThat(at.json().get("state").asText()).isEqualTo("scheduled");
    assertThat(at.json().get("runAt").asText()).isEqualTo("2099-01-31T09:00:00Z");
    assertThat(millis.json().get("state").asText()).isEqualTo("scheduled");
  }

  @Test
  void malformedJsonIs400WithWhereItBroke() {
    Res r = t.post("/api/jobs", "{\"kind\": \"echo\", ");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    JsonNode p = r.json();
    assertThat(p.get("status").asInt()).isEqualTo(400);
    assertThat(p.get("title").asText()).isEqualTo("Bad Request");
    assertThat(p.get("detail").asText()).startsWith("malformed JSON at line 1");
    assertThat(p.get("instance").asText()).isEqualTo("/api/jobs");
  }

  @Test
  void emptyBodyIs400() {
    Res r = t.post("/api/jobs", "");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("detail").asText()).contains("empty");
  }

  @Test
  void unknownKindIs422NamingTheKind() {
    Res r = t.post("/api/jobs", "{\"kind\": \"no.such.kind\", \"args\": {}}");

    assertThat(r.status()).isEqualTo(422);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("title").asText()).isEqualTo("Unprocessable Content");
    assertThat(r.json().get("field").asText()).isEqualTo("kind");
    assertThat(r.json().get("detail").asText())
        .contains("unknown job kind 'no.such.kind'")
        // The hint names what works over HTTP, not the Java option (the API has no
        // allowUnknownKind).
        .contains("start a worker that runs it")
        .doesNotContain("allowUnknownKind");
  }

  @Test
  void eachInvalidFieldIs422NamingThatField() {
    assertInvalid("{\"args\": {}}", "kind", "kind is required");
    assertInvalid("{\"kind\": 7}", "kind", "kind must be a string");
    assertInvalid("{\"kind\": \"bad kind!\"}", "kind", "kind must be 1-128 letters");
    assertInvalid(
        "{\"kind\": \"echo\", \"priority\": 12}", "priority", "priority must be between 0");
    assertInvalid(
        "{\"kind\": \"echo\", \"priority\": \"high\"}",
        "priority",
        "priority must be a whole number");
    assertInvalid("{\"kind\": \"echo\", \"queue\": \"no spaces\"}", "queue", "queue must be");
    assertInvalid(
        "{\"kind\": \"echo\", \"maxAttempts\": 0}",
        "maxAttempts",
        "maxAttempts must be between 1 and 1000");
    assertInvalid("{\"kind\": \"echo\", \"delay\": \"soon\"}", "delay", "delay must be a duration");
    assertInvalid(
        "{\"kind\": \"echo\", \"delay\": \"30s\", \"runAt\": \"2099-01-01T00:00:00Z\"}",
        "delay",
        "not both");
    assertInvalid(
        "{\"kind\": \"echo\", \"runAt\": \"tomorrow\"}", "runAt", "runAt must be an ISO-8601 time");
    assertInvalid(
        "{\"kind\": \"echo\", \"wait\": \"2h\"}", "wait", "wait must be at most 5 minutes");
    assertInvalid("{\"kind\": \"echo\", \"prority\": 1}", "prority", "unknown field 'prority'");
    assertInvalid(
        "{\"kind\": \"echo\", \"uniqueKey\": \"\"}",
        "uniqueKey",
        "uniqueKey must be 1-255 characters");
    assertInvalid(
        "{\"kind\": \"echo\", \"concurrencyKey\": \"" + "k".repeat(256) + "\"}",
        "concurrencyKey",
        "concurrencyKey must be 1-255 characters");
    assertInvalid("{\"kind\": \"echo\", \"uniqueFor\": \"1h\"}", "uniqueFor", "needs a uniqueKey");
    assertInvalid(
        "{\"kind\": \"echo\", \"uniqueKey\": \"k\", \"onDuplicate\": \"merge\"}",
        "onDuplicate",
        "\"replace\" or \"return\"");
    assertInvalid("[1, 2]", null, "the body must be a JSON object");
  }

  private void assertInvalid(String body, String field, String detail) {
    Res r = t.post("/api/jobs", body);
    assertThat(r.status()).as(body).isEqualTo(422);
    assertThat(r.json().path("field").asText(null)).as(body).isEqualTo(field);
    assertThat(r.json().get("detail").asText()).as(body).contains(detail);
  }

  @Test
  void idempotencyKeyTooLongIs422NamingTheHeader() {
    Res r =
        t.send(
            t.request("/api/jobs")
                .header("Idempotency-Key", "k".repeat(300))
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\": \"echo\"}")));

    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("field").asText()).isEqualTo("Idempotency-Key");
  }

  @Test
  void bodyOverTheLimitIs413ByContentLength() {
    String big = "{\"kind\": \"echo\", \"args\": {\"pad\": \"" + "x".repeat(70 * 1024) + "\"}}";

    Res r = t.post("/api/jobs", big);

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("title").asText()).isEqualTo("Content Too Large");
    assertThat(r.json().get("detail").asText()).contains("over the limit of 65536 bytes");
  }

  @Test
  void chunkedBodyOverTheLimitIs413ByTheBytesSent() {
    byte[] big =
        ("{\"kind\": \"echo\", \"args\": {\"pad\": \"" + "x".repeat(70 * 1024) + "\"}}").getBytes();

    // ofInputStream has no length, so the client sends the body chunked, without Content-Length.
    Res r =
        t.send(
            t.request("/api/jobs")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().get("detail").asText()).contains("more than 65536 bytes");
  }

  // ---------------------------------------------------------------- read and list

  @Test
  void unknownJobIs404() {
    Res r = t.get("/api/jobs/987654");

    assertThat(r.status()).isEqualTo(404);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("detail").asText()).isEqualTo("no job 987654");
    assertThat(t.get("/api/jobs/abc").status()).isEqualTo(404);
    assertThat(t.post("/api/jobs/987654/cancel").status()).isEqualTo(404);
    assertThat(t.post("/api/jobs/987654/retry").status()).isEqualTo(404);
    assertThat(t.delete("/api/jobs/987654").status()).isEqualTo(404);
    assertThat(t.get("/api/jobs/987654/events").status()).isEqualTo(404);
  }

  @Test
  void listFiltersByStateQueueAndKindAndPagesWithTheCursor() {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(
          t.post(
                  "/api/jobs",
                  "{\"kind\": \"echo\", \"args\": {\"i\": " + i + "}, \"delay\": \"1h\"}")
              .json()
              .get("id")
              .asLong());
    }
    t.post("/api/jobs", "{\"kind\": \"reports.render\", \"delay\": \"1h\"}");

    List<Long> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Res r =
          t.get(
              "/api/jobs?state=scheduled&queue=default&kind=echo&limit=2"
                  + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(r.status()).isEqualTo(200);
      r.json().get("jobs").forEach(j -> seen.add(j.get("id").asLong()));
      cursor = r.json().get("nextCursor").isNull() ? null : r.json().get("nextCursor").asText();
      pages++;
    } while (cursor != null && pages < 10);

    assertThat(seen).containsExactlyElementsOf(ids.reversed());
    JsonNode reports = t.get("/api/jobs?queue=reports").json();
    assertThat(reports.get("jobs")).hasSize(1);
    assertThat(reports.get("jobs").get(0).get("kind").asText()).isEqualTo("reports.render");
    assertThat(reports.has("nextCursor")).isTrue();
  }

  @Test
  void invalidListParametersAre422NamingThem() {
    Res state = t.get("/api/jobs?state=sleeping");
    assertThat(state.status()).isEqualTo(422);
    assertThat(state.json().get("field").asText()).isEqualTo("state");
    assertThat(state.json().get("detail").asText()).contains("unknown job state 'sleeping'");

    Res limit = t.get("/api/jobs?limit=0");
    assertThat(limit.status()).isEqualTo(422);
    assertThat(limit.json().get("field").asText()).isEqualTo("limit");

    Res cursor = t.get("/api/jobs?cursor=garbage!");
    assertThat(cursor.status()).isEqualTo(422);
    assertThat(cursor.json().get("field").asText()).isEqualTo("cursor");
  }

  // ---------------------------------------------------------------- actions

  @Test
  void actionsNotValidInTheJobsStateAre409() {
    long id = t.enqueue("block", Map.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(id).equals("running"));

    Res retry = t.post("/api/jobs/" + id + "/retry");
    assertThat(retry.status()).isEqualTo(409);
    assertThat(retry.contentType()).startsWith("application/problem+json");
    assertThat(retry.json().get("title").asText()).isEqualTo("Conflict");
    assertThat(retry.json().get("detail").asText())
        .isEqualTo(
            "job "
                + id
                + " is running; only a dead, cancelled, retrying or scheduled job can be retried");

    Res delete = t.delete("/api/jobs/" + id);
    assertThat(delete.status()).isEqualTo(409);
    assertThat(delete.json().get("detail").asText()).contains("cancel it before deleting it");

    Res cancel = t.post("/api/jobs/" + id + "/cancel");
    assertThat(cancel.status()).isIn(200, 202);
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(id).equals("cancelled"));

    long done = t.enqueue("echo", Map.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(done).equals("succeeded"));
    Res cancelDone = t.post("/api/jobs/" + done + "/cancel");
    assertThat(cancelDone.status()).isEqualTo(409);
    assertThat(cancelDone.json().get("detail").asText()).contains("is succeeded already");
  }

  @Test
  void cancelRetryAndDeleteOfAPendingJob() {
    long id =
        t.post("/api/jobs", "{\"kind\": \"echo\", \"delay\": \"1h\"}").json().get("id").asLong();

    Res cancel = t.post("/api/jobs/" + id + "/cancel");
    assertThat(cancel.status()).isEqualTo(200);
    assertThat(cancel.json().get("state").asText()).isEqualTo("cancelled");
    assertThat(t.post("/api/jobs/" + id + "/cancel").status())
        .as("cancelling again is a conflict")
        .isEqualTo(409);

    Res retry = t.post("/api/jobs/" + id + "/retry");
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json().get("state").asText()).isIn("available", "running", "succeeded");
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(id).equals("succeeded"));

    assertThat(t.delete("/api/jobs/" + id).status()).isEqualTo(204);
    assertThat(t.get("/api/jobs/" + id).status()).isEqualTo(404);
  }

  @Test
  void deadJobsAreReplayedByFilter() {
    long a = t.enqueue("fail", Map.of("reason", "a"));
    long b = t.enqueue("fail", Map.of("reason", "b"));
    long other = t.enqueue("flaky", Map.of());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> t.state(a).equals("dead") && t.state(b).equals("dead"));
    JsonNode dead = t.job(a);
    assertThat(dead.get("errors").get(0).get("errorClass").asText())
        .isEqualTo("dev.offload.PermanentFailure");
    assertThat(t.get("/api/jobs?state=dead").json().get("jobs")).hasSize(2);

    Res none = t.post("/api/dead/replay", "{\"kind\": \"echo\"}");
    assertThat(none.status()).isEqualTo(200);
    assertThat(none.json().get("replayed").asInt()).isZero();

    Res replayed =
        t.post(
            "/api/dead/replay",
            "{\"kind\": \"fail\", \"errorClass\": \"dev.offload.PermanentFailure\"}");
    assertThat(replayed.status()).isEqualTo(200);
    assertThat(replayed.json().get("replayed").asInt()).isEqualTo(2);
    // They run again, and (failing permanently again) end dead with a second attempt recorded.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> t.job(a).get("errors").size() == 2 && t.state(a).equals("dead"));
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(other).equals("succeeded"));

    assertThat(t.post("/api/dead/replay", "{\"kynd\": \"fail\"}").status()).isEqualTo(422);
    Res running = t.post("/api/dead/replay", "{\"state\": \"running\"}");
    assertThat(running.status()).isEqualTo(422);
    assertThat(running.json().get("field").asText()).isEqualTo("state");
    assertThat(t.post("/api/dead/replay", "{\"kind\": ").status()).isEqualTo(400);
    assertThat(t.post("/api/dead/replay").json().get("replayed").asInt())
        .as("an empty body replays every dead job")
        .isEqualTo(2);
  }

  @Test
  void failedItemsAreRetriedAsAFollowUpJob() {
    long id = t.enqueue("steps", Map.of("steps", 6, "delayMs", 1, "failEvery", 3));
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(id).equals("succeeded"));
    assertThat(t.job(id).get("failedItems").get("count").asInt()).isEqualTo(2);

    Res r = t.post("/api/jobs/" + id + "/retry-items");

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().get("parentId").asLong()).isEqualTo(id);
    assertThat(r.header("Location")).isEqualTo("/api/jobs/" + r.json().get("id").asLong());
    long plain = t.enqueue("echo", Map.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(plain).equals("succeeded"));
    assertThat(t.post("/api/jobs/" + plain + "/retry-items").status()).isEqualTo(409);
  }

  // ---------------------------------------------------------------- routing

  @Test
  void unknownRoutesAndMethodsAnswerProblems() {
    Res missing = t.get("/api/nothing-here");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.contentType()).startsWith("application/problem+json");

    Res method = t.send(t.request("/api/queues").PUT(HttpRequest.BodyPublishers.noBody()));
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.contentType()).startsWith("application/problem+json");
  }
}
