package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.internal.Json;
import dev.offload.server.TestServer.Res;
import dev.offload.store.Store;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile and careless input over real HTTP, the same on every store (issue 11, items 11, 12, 14,
 * 17, 18): each bad value gets a 4xx naming its field, nothing is half-written, and no answer shows
 * SQL, a database URL or a stack trace. Run by {@link SqliteBadInputApiTest} and {@link
 * PostgresBadInputApiTest}.
 */
abstract class BadInputApiContract {
  TestServer t;
  String storeDescription;

  /** A fresh, empty store. */
  abstract Store store();

  @BeforeEach
  void start() {
    Store store = store();
    storeDescription = store.describe();
    t = TestServer.start(store, /* workers= */ true, b -> {});
  }

  @AfterEach
  void stop() {
    t.close();
  }

  private Res enqueue(String kind, JsonNode args, String... more) {
    ObjectNode body = Json.object().put("kind", kind);
    if (args != null) {
      body.set("args", args);
    }
    for (int i = 0; i < more.length; i += 2) {
      body.put(more[i], more[i + 1]);
    }
    return t.post("/api/jobs", body.toString());
  }

  private static JsonNode json(String text) {
    return Json.tree(text);
  }

  /** A 4xx problem about {@code field}, in UTF-8 problem+json, showing nothing of the store. */
  private void assertProblem(Res r, int status, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).isEqualTo("application/problem+json; charset=utf-8");
    assertThat(r.json().get("status").asInt()).isEqualTo(status);
    if (field != null) {
      assertThat(r.json().path("field").asText()).as(r.body()).isEqualTo(field);
    }
    assertNoInternals(r);
  }

  private void assertNoInternals(Res r) {
    assertThat(r.body())
        .doesNotContain(storeDescription)
        .doesNotContainIgnoringCase("jdbc")
        .doesNotContainIgnoringCase("sql")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  private int jobCount() {
    return t.get("/api/jobs?limit=1000").json().get("jobs").size();
  }

  // ---------------------------------------------------------------- item 11: NUL, dates, durations

  @Test
  void nulInArgsIs422AndStoresNothing() {
    assertProblem(enqueue("echo", json("{\"note\": \"a\\u0000b\"}")), 422, "args");
    assertProblem(enqueue("echo", json("{\"a\\u0000\": 1}")), 422, "args");
    assertProblem(enqueue("echo", json("[[\"\\u0000\"]]")), 422, "args");

    // An escaped backslash before "u0000" is not a NUL: those args are fine.
    Res fine = enqueue("echo", json("{\"path\": \"C:\\\\u0000\"}"), "delay", "1h");
    assertThat(fine.status()).as(fine.body()).isEqualTo(202);
    assertThat(fine.json().get("args").get("path").asText()).isEqualTo("C:\\u0000");
    assertThat(jobCount()).isEqualTo(1);
  }

  @Test
  void runAtOutsideTheDateRangeIs422NamingRunAt() {
    for (String runAt :
        new String[] {
          "+10000-01-01T00:00:00Z",
          "0000-12-31T23:59:59Z",
          "-0001-06-01T00:00:00Z",
          "+1000000000-12-31T23:59:59Z"
        }) {
      Res r = enqueue("echo", null, "runAt", runAt);
      assertProblem(r, 422, "runAt");
      assertThat(r.json().get("detail").asText())
          .contains("0001-01-01T00:00:00Z")
          .contains("9999-12-31T23:59:59.999Z");
    }
    assertThat(jobCount()).isZero();
  }

  @Test
  void runAtAtBothEndsOfTheRangeComesBackUnchanged() {
    for (String runAt :
        new String[] {"0001-01-01T00:00:00Z", "1582-10-10T12:00:00Z", "9999-12-31T23:59:59.999Z"}) {
      Res r = enqueue("echo", null, "runAt", runAt);
      assertThat(r.status()).as(r.body()).isEqualTo(202);
      assertThat(r.json().get("runAt").asText()).isEqualTo(runAt);
      assertThat(t.job(r.json().get("id").asLong()).get("runAt").asText()).isEqualTo(runAt);
    }
  }

  @Test
  void hugeDelayBudgetAndWaitAre422NamingTheField() {
    assertProblem(enqueue("echo", null, "delay", "P1000000000000D"), 422, "delay");
    assertProblem(enqueue("echo", null, "delay", "999999999999d"), 422, "delay");
    assertProblem(enqueue("echo", null, "wait", "P1000000000000D"), 422, "wait");
    assertProblem(t.get("/api/kinds?budget=P1000000000000D"), 422, "budget");
    assertProblem(t.get("/api/kinds?budget=999999999999d"), 422, "budget");
    assertThat(t.get("/api/kinds?budget=24h").status()).isEqualTo(200);
    assertThat(jobCount()).isZero();
  }

  @Test
  void errorClassFilterWithNulIs422() {
    assertProblem(t.get("/api/jobs?errorClass=%00"), 422, "errorClass");
    assertProblem(
        t.get(
            "/api/jobs?state=dead&errorClass="
                + URLEncoder.encode("com.example.Boom\u0000", StandardCharsets.UTF_8)),
        422,
        "errorClass");
    assertProblem(t.post("/api/dead/replay", "{\"errorClass\": \"\\u0000\"}"), 422, "errorClass");
    assertThat(t.get("/api/jobs?errorClass=java.io.IOException").status()).isEqualTo(200);
  }

  @Test
  void aStoreFailureAnswersAnErrorIdAndNothingOfTheStore() {
    t.offload.close(); // the store is gone under the running server

    Res r = t.get("/api/jobs");

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.contentType()).isEqualTo("application/problem+json; charset=utf-8");
    String errorId = r.json().get("errorId").asText();
    assertThat(errorId).matches("[0-9a-f]{12}");
    assertThat(r.json().get("detail").asText()).contains(errorId);
    assertNoInternals(r);
  }

  // ---------------------------------------------------------------- item 12: depth and size

  private static String nested(int depth) {
    return "[".repeat(depth - 1) + "{\"leaf\": 1}" + "]".repeat(depth - 1);
  }

  @Test
  void argsNestedTooDeepAre422AndListingsStayUp() {
    Res ok = enqueue("echo", json(nested(64)), "delay", "1h");
    assertThat(ok.status()).as(ok.body()).isEqualTo(202);

    assertProblem(enqueue("echo", json(nested(65)), "delay", "1h"), 422, "args");
    // Deeper than the request parser reads at all: still 422 about args, not a parse error.
    assertProblem(
        t.post("/api/jobs", "{\"kind\": \"echo\", \"args\": " + nested(998) + "}"), 422, "args");
    assertProblem(
        t.post("/api/jobs", "{\"kind\": \"echo\", \"args\": " + nested(20_000) + "}"), 422, "args");

    Res list = t.get("/api/jobs?fields=args");
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    assertThat(list.json().get("jobs")).hasSize(1);
  }

  @Test
  void argsOverTheSizeLimitAre413() {
    String big = "x".repeat((1 << 20) + 1);
    Res r = enqueue("echo", Json.object().put("blob", big));

    assertProblem(r, 413, "args");
    assertThat(r.json().get("detail").asText()).contains("1048576");
    assertThat(jobCount()).isZero();
  }

  // ---------------------------------------------------------------- item 13: listings

  @Test
  void listingsLeaveArgsAndResultsOutUnlessAsked() {
    Res done = t.post("/api/jobs", "{\"kind\": \"echo\", \"args\": {\"n\": 7}, \"wait\": \"10s\"}");
    assertThat(done.status()).as(done.body()).isEqualTo(200);

    JsonNode plain = t.get("/api/jobs").json().get("jobs").get(0);
    assertThat(plain.has("args")).isFalse();
    assertThat(plain.has("result")).isFalse();
    // Every other field of the job document is there.
    JsonNode full = t.job(done.json().get("id").asLong());
    java.util.List<String> others = new java.util.ArrayList<>();
    full.fieldNames().forEachRemaining(others::add);
    others.removeAll(java.util.List.of("args", "result"));
    for (String field : others) {
      assertThat(plain.get(field)).as(field).isEqualTo(full.get(field));
    }

    JsonNode both = t.get("/api/jobs?fields=args,result").json().get("jobs").get(0);
    assertThat(both).isEqualTo(full);
    JsonNode args = t.get("/api/jobs?fields=args").json().get("jobs").get(0);
    assertThat(args.get("args").get("n").asInt()).isEqualTo(7);
    assertThat(args.has("result")).isFalse();
    assertProblem(t.get("/api/jobs?fields=args,secrets"), 422, "fields");
  }

  // ---------------------------------------------------------------- item 14: types and numbers

  @Test
  void argsOfAKnownKindAreCheckedAgainstItsType() {
    Res word = enqueue("typed", json("{\"items\": \"many\", \"name\": \"a\"}"));
    assertProblem(word, 422, "args.items");
    assertThat(word.json().get("detail").asText()).startsWith("items: expected a number");

    Res line =
        enqueue(
            "typed",
            json(
                "{\"items\": 2, \"lines\": [{\"sku\": \"a\", \"quantity\": 1}, {\"sku\": \"b\","
                    + " \"quantity\": {\"n\": 2}}]}"));
    assertProblem(line, 422, "args.lines[1].quantity");
    assertThat(line.json().get("detail").asText())
        .startsWith("lines[1].quantity: expected a number");

    assertProblem(enqueue("typed", json("{\"lines\": 3}")), 422, "args.lines");
    assertThat(jobCount()).isZero();

    Res good =
        t.post(
            "/api/jobs",
            "{\"kind\": \"typed\", \"args\": {\"items\": 2, \"name\": \"n\"}, \"wait\": \"10s\"}");
    assertThat(good.status()).as(good.body()).isEqualTo(200);
    assertThat(good.json().get("state").asText()).isEqualTo("succeeded");
    assertThat(good.json().get("result").get("items").asInt()).isEqualTo(2);
  }

  @Test
  void numbersKeepTheirExactValue() {
    String args =
        "{\"huge\": 1e400, \"tiny\": 1e-400, \"precise\": 0.1000000000000000055511151231257827,"
            + " \"big\": 123456789012345678901234567890}";
    Res r = t.post("/api/jobs", "{\"kind\": \"echo\", \"args\": " + args + ", \"wait\": \"10s\"}");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("Infinity");
    for (JsonNode doc :
        new JsonNode[] {
          r.json().get("args"),
          r.json().get("result"),
          t.job(r.json().get("id").asLong()).get("result")
        }) {
      assertThat(doc.get("huge").decimalValue()).isEqualByComparingTo(new BigDecimal("1e400"));
      assertThat(doc.get("tiny").decimalValue()).isEqualByComparingTo(new BigDecimal("1e-400"));
      assertThat(doc.get("precise").decimalValue())
          .isEqualByComparingTo(new BigDecimal("0.1000000000000000055511151231257827"));
      assertThat(doc.get("big").bigIntegerValue())
          .isEqualTo(new java.math.BigInteger("123456789012345678901234567890"));
    }
  }

  // ---------------------------------------------------------------- item 17: lifecycle conflicts

  @Test
  void cancellingACancelledJobIs409() {
    long id = enqueue("echo", null, "delay", "1h").json().get("id").asLong();
    assertThat(t.post("/api/jobs/" + id + "/cancel").status()).isEqualTo(200);

    Res again = t.post("/api/jobs/" + id + "/cancel");

    assertProblem(again, 409, null);
    assertThat(again.json().get("detail").asText()).contains("cancelled already");
  }

  @Test
  void retryingARunningJobIs409() {
    long id = t.enqueue("block", Map.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(id).equals("running"));

    assertProblem(t.post("/api/jobs/" + id + "/retry"), 409, null);
    assertThat(t.state(id)).isEqualTo("running");
    t.post("/api/jobs/" + id + "/cancel");
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(id).equals("cancelled"));
  }
}
