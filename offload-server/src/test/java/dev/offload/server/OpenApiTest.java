package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.offload.internal.Json;
import dev.offload.server.TestServer.Res;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API's contract, {@code openapi.json}: a valid OpenAPI 3.1 document, served at {@code GET
 * /api/openapi.json}, the same as {@code docs/openapi.json}, naming every route the server
 * registers, and true of real answers: each answer below is checked against the schema the document
 * gives for its path, method, status and content type.
 */
class OpenApiTest {
  private static final Path DOCS_COPY = Path.of("..", "docs", "openapi.json");
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  @TempDir Path dir;

  TestServer t;
  JsonNode doc;

  @BeforeEach
  void start() throws IOException {
    t = TestServer.start(dir, b -> b.maxBodyBytes(4 * 1024));
    try (InputStream in = OffloadServer.class.getResourceAsStream("openapi.json")) {
      doc = Json.tree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @AfterEach
  void stop() {
    t.close();
  }

  @Test
  void theDocumentIsValidOpenApi31() throws IOException {
    String text = Files.readString(DOCS_COPY);
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setValidateInternalRefs(true);

    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, options);

    assertThat(parsed.getMessages()).as("what the OpenAPI parser reports").isEmpty();
    assertThat(parsed.getOpenAPI()).isNotNull();
    assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
    assertThat(parsed.getOpenAPI().getPaths()).containsKey("/api/jobs/{id}");
    // Every schema is itself a valid JSON Schema of the dialect OpenAPI 3.1 uses.
    Schema meta =
        registry()
            .getSchema(
                com.networknt.schema.SchemaLocation.of(
                    SpecificationVersion.DRAFT_2020_12.getDialectId()));
    doc.get("components")
        .get("schemas")
        .properties()
        .forEach(
            e -> assertThat(meta.validate(e.getValue())).as("schema %s", e.getKey()).isEmpty());
  }

  @Test
  void theParserReportsABrokenDocument() throws IOException {
    ObjectNode broken = (ObjectNode) Json.tree(Files.readString(DOCS_COPY));
    broken.remove("info");
    ((ObjectNode) broken.get("components")).remove("responses");

    SwaggerParseResult parsed =
        new OpenAPIV3Parser().readContents(broken.toString(), null, new ParseOptions());

    assertThat(parsed.getMessages()).isNotEmpty();
  }

  @Test
  void theServerServesTheDocumentAndDocsHasTheSameOne() throws IOException {
    Res r = t.get("/api/openapi.json");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.body())
        .isEqualTo(Files.readString(DOCS_COPY))
        .as(
            "docs/openapi.json and offload-server's openapi.json must be the same file: copy one onto the other");
    checked("GET", "/api/openapi.json", r);
  }

  @Test
  void everyRouteTheServerRegistersIsInTheDocumentAndNothingElse() {
    Set<String> routed = new TreeSet<>();
    for (String route : t.server.routes()) {
      routed.add(route.replaceAll("\\{([^}]+)}", "{$1}"));
    }
    Set<String> documented = new TreeSet<>();
    doc.get("paths")
        .properties()
        .forEach(p ->
            p.getValue()
                .properties()
                .forEach(m -> {
                  if (METHODS.contains(m.getKey())) {
                    documented.add(m.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey());
                  }
                }));

    assertThat(documented)
        .as("openapi.json must describe every route in Routes, as it is routed")
        .isEqualTo(routed);
  }

  @Test
  void jobAnswersMatchTheirSchemas() {
    Res enqueued =
        checked(
            "POST",
            "/api/jobs",
            t.post(
                "/api/jobs",
                "{\"kind\": \"steps\", \"args\": {\"steps\": 6, \"delayMs\": 5, \"failEvery\": 3}}"));
    assertThat(enqueued.status()).isEqualTo(202);
    long id = enqueued.json().get("id").asLong();
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(id).equals("succeeded"));

    checked("GET", "/api/jobs/{id}", t.get("/api/jobs/" + id));
    checked(
        "POST",
        "/api/jobs",
        t.post("/api/jobs", "{\"kind\": \"echo\", \"args\": {\"x\": 1}, \"wait\": \"10s\"}"));
    checked(
        "POST",
        "/api/jobs",
        t.send(
            t.request("/api/jobs")
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "order-1")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\": \"echo\", \"priority\": 2, \"delay\": \"1h\"}"))));
    checked("GET", "/api/jobs", t.get("/api/jobs?limit=2"));
    checked("GET", "/api/jobs", t.get("/api/jobs?state=succeeded&kind=steps"));
    Res followUp =
        checked("POST", "/api/jobs/{id}/retry-items", t.post("/api/jobs/" + id + "/retry-items"));
    assertThat(followUp.status()).isEqualTo(202);
    long followUpId = followUp.json().get("id").asLong();
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(followUpId).equals("succeeded"));
    checked("GET", "/api/jobs/{id}", t.get("/api/jobs/" + followUpId));

    long dead = t.enqueue("fail", Map.of("reason", "no"));
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(dead).equals("dead"));
    checked("GET", "/api/jobs/{id}", t.get("/api/jobs/" + dead));
    checked("POST", "/api/jobs/{id}/retry", t.post("/api/jobs/" + dead + "/retry"));
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(dead).equals("dead"));
    checked("POST", "/api/dead/replay", t.post("/api/dead/replay", "{\"kind\": \"fail\"}"));
    checked("POST", "/api/dead/replay", t.post("/api/dead/replay"));

    long blocked = t.enqueue("block", Map.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(blocked).equals("running"));
    checked("DELETE", "/api/jobs/{id}", t.delete("/api/jobs/" + blocked));
    checked("POST", "/api/jobs/{id}/cancel", t.post("/api/jobs/" + blocked + "/cancel"));
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(blocked).equals("cancelled"));
    checked("POST", "/api/jobs/{id}/cancel", t.post("/api/jobs/" + blocked + "/cancel"));
    checked("DELETE", "/api/jobs/{id}", t.delete("/api/jobs/" + blocked));
  }

  @Test
  void errorAnswersMatchTheirSchemas() {
    checked("GET", "/api/jobs/{id}", t.get("/api/jobs/999999"));
    checked("GET", "/api/jobs/{id}", t.get("/api/jobs/abc"));
    checked("GET", "/api/jobs/{id}/events", t.get("/api/jobs/999999/events"));
    checked("POST", "/api/jobs/{id}/cancel", t.post("/api/jobs/999999/cancel"));
    checked("POST", "/api/jobs/{id}/retry", t.post("/api/jobs/999999/retry"));
    checked("POST", "/api/jobs/{id}/retry-items", t.post("/api/jobs/999999/retry-items"));
    checked("DELETE", "/api/jobs/{id}", t.delete("/api/jobs/999999"));
    long echo = t.enqueue("echo", Map.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(echo).equals("succeeded"));
    checked("POST", "/api/jobs/{id}/retry", t.post("/api/jobs/" + echo + "/retry"));
    checked("POST", "/api/jobs/{id}/retry-items", t.post("/api/jobs/" + echo + "/retry-items"));
    // A push endpoint's progress report: no job token (401), a made-up one (403), one shaped for a
    // job that no longer runs (409), and for one that is gone (410).
    String progress = "/api/jobs/{id}/progress";
    checked("POST", progress, t.post("/api/jobs/" + echo + "/progress", "{\"percent\":1}"));
    checked(
        "POST",
        progress,
        t.send(
            t.request("/api/jobs/" + echo + "/progress")
                .header("Authorization", "Bearer nope")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))));
    checked(
        "POST",
        progress,
        t.send(
            t.request("/api/jobs/" + echo + "/progress")
                .header("Authorization", "Bearer " + echo + ".stale")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))));
    checked(
        "POST",
        progress,
        t.send(
            t.request("/api/jobs/999999/progress")
                .header("Authorization", "Bearer 999999.gone")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))));
    checked("POST", "/api/jobs", t.post("/api/jobs", "{\"kind\": "));
    checked("POST", "/api/jobs", t.post("/api/jobs", "{\"kind\": \"no.such.kind\"}"));
    checked("POST", "/api/jobs", t.post("/api/jobs", "{\"kind\": \"echo\", \"priorty\": 1}"));
    checked(
        "POST",
        "/api/jobs",
        t.post("/api/jobs", "{\"kind\": \"echo\", \"args\": \"" + "x".repeat(5000) + "\"}"));
    checked(
        "POST",
        "/api/jobs",
        t.send(
            t.request("/api/jobs")
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "k")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\": \"echo\", \"args\": {\"a\": 1}}"))));
    checked(
        "POST",
        "/api/jobs",
        t.send(
            t.request("/api/jobs")
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "k")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\": \"echo\", \"args\": {\"a\": 2}}"))));
    checked("GET", "/api/jobs", t.get("/api/jobs?state=lost"));
    checked("GET", "/api/jobs", t.get("/api/jobs?limit=0"));
    checked("GET", "/api/jobs", t.get("/api/jobs?cursor=nonsense"));
    checked("POST", "/api/dead/replay", t.post("/api/dead/replay", "[1]"));
    checked("POST", "/api/dead/replay", t.post("/api/dead/replay", "{\"state\": \"running\"}"));
    checked("GET", "/api/kinds", t.get("/api/kinds?budget=soon"));
    checked("GET", "/api/events", t.get("/api/events?state=lost"));
    checked(
        "POST", "/api/queues/{name}/pause", t.post("/api/queues/" + "q".repeat(300) + "/pause"));
    // A server without a token answers only to loopback names.
    Res crossOrigin =
        t.send(
            t.request("/api/dead/replay")
                .header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(crossOrigin.status()).isEqualTo(403);
    checked("POST", "/api/dead/replay", crossOrigin);
  }

  @Test
  void queueKindAndOperationsAnswersMatchTheirSchemas() throws Exception {
    long id = t.enqueue("reports.render", Map.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(id).equals("succeeded"));

    checked("GET", "/api/queues", t.get("/api/queues"));
    checked("POST", "/api/queues/{name}/pause", t.post("/api/queues/reports/pause"));
    checked("POST", "/api/queues/{name}/resume", t.post("/api/queues/reports/resume"));
    checked("GET", "/api/kinds", t.get("/api/kinds"));
    checked("GET", "/api/kinds", t.get("/api/kinds?budget=1ms"));
    checked("GET", "/health", t.get("/health"));
    checked("GET", "/metrics", t.get("/metrics"));
    checked("GET", "/", t.get("/"));
    checked("GET", "/app.js", t.get("/app.js"));
    checked("GET", "/app.css", t.get("/app.css"));
    checked("GET", "/favicon.svg", t.get("/favicon.svg"));
    checked("GET", "/offload-progress.js", t.get("/offload-progress.js"));
    checked("GET", "/api/jobs/{id}/events", firstBytes("/api/jobs/" + id + "/events"));
    checked("GET", "/api/events", firstBytes("/api/events"));
  }

  @Test
  void scheduleAnswersMatchTheirSchemas() {
    Res created =
        checked(
            "POST",
            "/api/schedules",
            t.post(
                "/api/schedules",
                "{\"name\": \"nightly\", \"kind\": \"echo\", \"args\": {\"n\": 1}, \"cron\": \"0 3 * * *\", \"zone\": \"Europe/Copenhagen\"}"));
    assertThat(created.status()).isEqualTo(201);
    checked(
        "POST",
        "/api/schedules",
        t.post("/api/schedules", "{\"name\": \"nightly\", \"kind\": \"echo\", \"every\": \"1h\"}"));
    checked(
        "POST",
        "/api/schedules",
        t.post(
            "/api/schedules", "{\"name\": \"bad\", \"kind\": \"echo\", \"cron\": \"0 25 * * *\"}"));
    checked("POST", "/api/schedules", t.post("/api/schedules", "{\"name\": "));
    checked("GET", "/api/schedules", t.get("/api/schedules"));
    checked("GET", "/api/schedules/{name}", t.get("/api/schedules/nightly"));
    checked("GET", "/api/schedules/{name}", t.get("/api/schedules/none"));
    checked(
        "PUT",
        "/api/schedules/{name}",
        t.send(
            t.request("/api/schedules/hourly")
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\": \"echo\", \"every\": \"1h\", \"catchUp\": \"none\", \"priority\": 3}"))));
    checked("POST", "/api/schedules/{name}/pause", t.post("/api/schedules/nightly/pause"));
    checked("POST", "/api/schedules/{name}/resume", t.post("/api/schedules/nightly/resume"));
    checked("POST", "/api/schedules/{name}/pause", t.post("/api/schedules/none/pause"));
    Res run = checked("POST", "/api/schedules/{name}/run", t.post("/api/schedules/nightly/run"));
    assertThat(run.status()).isEqualTo(202);
    long id = run.json().get("id").asLong();
    await().atMost(Duration.ofSeconds(20)).until(() -> t.state(id).equals("succeeded"));
    checked("GET", "/api/jobs/{id}", t.get("/api/jobs/" + id));
    checked("GET", "/api/schedules", t.get("/api/schedules"));
    checked("DELETE", "/api/schedules/{name}", t.delete("/api/schedules/nightly"));
    checked("DELETE", "/api/schedules/{name}", t.delete("/api/schedules/nightly"));
  }

  @Test
  void tokenErrorsMatchTheirSchemas() {
    try (TestServer guarded =
        TestServer.start(dir.resolve("guarded"), b -> b.token("s3cret-token-of-the-test"))) {
      Res missing = guarded.get("/api/jobs");
      assertThat(missing.status()).isEqualTo(401);
      check("GET", "/api/jobs", missing);
      Res wrong =
          guarded.send(guarded.request("/api/queues").header("Authorization", "Bearer nope"));
      assertThat(wrong.status()).isEqualTo(401);
      check("GET", "/api/queues", wrong);
    }
  }

  @Test
  void readTokenAnswersMatchTheirSchemas() throws Exception {
    byte[] key = "progress key of the OpenApiTest!".getBytes(StandardCharsets.US_ASCII);
    try (TestServer keyed =
        TestServer.start(
            dev.offload.sqlite.SqliteStore.open(dir.resolve("keyed.db")),
            true,
            o -> o.progressKey(key),
            b -> b.token("admin-token-of-the-test"))) {
      long ok = keyed.offload.enqueue("steps", Json.tree("{\"steps\": 3, \"delayMs\": 5}")).value();
      long dead = keyed.offload.enqueue("fail", Json.tree("{\"reason\": \"no\"}")).value();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() ->
              keyed.offload.job(dev.offload.Job.JobId.of(ok)).orElseThrow().state().isFinal()
                  && keyed
                      .offload
                      .job(dev.offload.Job.JobId.of(dead))
                      .orElseThrow()
                      .state()
                      .isFinal());

      Res succeeded =
          checked(
              "GET",
              "/api/jobs/{id}",
              keyed.get(keyed.offload.progressUrl(dev.offload.Job.JobId.of(ok))));
      Res failed =
          checked(
              "GET",
              "/api/jobs/{id}",
              keyed.get(keyed.offload.progressUrl(dev.offload.Job.JobId.of(dead))));
      Res refused = checked("GET", "/api/jobs/{id}", keyed.get("/api/jobs/" + ok + "?token=nope"));
      Res stream =
          checked(
              "GET",
              "/api/jobs/{id}/events",
              keyed.get(
                  "/api/jobs/"
                      + ok
                      + "/events?token="
                      + keyed.offload.progressToken(dev.offload.Job.JobId.of(ok))));
      checked("GET", "/api/jobs/{id}/events", keyed.get("/api/jobs/" + ok + "/events?token=nope"));

      assertThat(succeeded.status()).isEqualTo(200);
      assertThat(succeeded.json().has("args")).isFalse();
      assertThat(failed.json().get("error").get("message").asText()).contains("upstream refused");
      assertThat(refused.status()).isEqualTo(403);
      assertThat(stream.status()).isEqualTo(200);
      // The view must not pass as the whole job, nor the job as the view: oneOf needs exactly one.
      assertThat(
              errors(
                  "GET",
                  "/api/jobs/{id}",
                  200,
                  "application/json",
                  keyed
                      .send(
                          keyed
                              .request("/api/jobs/" + ok)
                              .header("Authorization", "Bearer admin-token-of-the-test"))
                      .json()))
          .isEmpty();
    }
  }

  @Test
  void aBodyThatBreaksItsSchemaIsCaught() {
    Res r = t.get("/api/queues");
    ObjectNode broken = (ObjectNode) r.json();
    ((ObjectNode) broken.withArray("queues").get(0)).put("paused", "no");

    List<Error> errors = errors("GET", "/api/queues", 200, "application/json", broken);

    assertThat(errors).isNotEmpty();
  }

  // ---------------------------------------------------------------- checking

  /** Checks {@code r} against the document's answer for {@code method path}; returns {@code r}. */
  private Res checked(String method, String path, Res r) {
    check(method, path, r);
    return r;
  }

  private void check(String method, String path, Res r) {
    String contentType =
        r.body().isEmpty() || r.contentType() == null ? null : r.contentType().split(";")[0].trim();
    if (r.status() == 200 && path.endsWith("events")) {
      contentType = r.contentType().split(";")[0].trim(); // a stream: its first bytes are not kept
    }
    JsonNode body = null;
    if (contentType != null && contentType.endsWith("json")) {
      body = Json.tree(r.body());
    }
    List<Error> errors = errors(method, path, r.status(), contentType, body);
    assertThat(errors)
        .as("%s %s answered %d %s:\n%s", method, path, r.status(), contentType, r.body())
        .isEmpty();
  }

  /**
   * What is wrong with an answer by the document: an undocumented status or type, or a body its
   * schema refuses.
   */
  private List<Error> errors(
      String method, String path, int status, String contentType, JsonNode body) {
    JsonNode operation = doc.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
    assertThat(operation.isObject()).as("%s %s is in the document", method, path).isTrue();
    JsonNode response = resolve(operation.path("responses").path(String.valueOf(status)));
    assertThat(response.isObject()).as("%s %s documents status %d", method, path, status).isTrue();
    JsonNode content = response.path("content");
    if (contentType == null || !content.isObject()) {
      assertThat(content.isObject())
          .as("%s %s %d documents no body, and none came", method, path, status)
          .isEqualTo(contentType != null);
      return List.of();
    }
    JsonNode media = content.path(contentType);
    assertThat(media.isObject())
        .as(
            "%s %s %d documents %s (it has %s)",
            method, path, status, contentType, content.properties())
        .isTrue();
    if (body == null) {
      return List.of();
    }
    return schemaOf(media.path("schema")).validate(body);
  }

  private JsonNode resolve(JsonNode node) {
    JsonNode ref = node.get("$ref");
    if (ref == null) {
      return node;
    }
    JsonNode target = doc;
    for (String part : ref.asText().substring(2).split("/")) {
      target = target.path(part);
    }
    return target;
  }

  /**
   * One schema of the document as a standalone JSON Schema: the components' schemas become its
   * {@code $defs}, so its references resolve.
   */
  private Schema schemaOf(JsonNode schema) {
    String defs = doc.get("components").get("schemas").toString();
    String text =
        "{\"$schema\": \""
            + SpecificationVersion.DRAFT_2020_12.getDialectId()
            + "\", \"$defs\": "
            + defs
            + ", \"allOf\": ["
            + schema
            + "]}";
    return registry().getSchema(Json.tree(text.replace("#/components/schemas/", "#/$defs/")));
  }

  private static SchemaRegistry registry() {
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  }

  /** The status and headers of an event stream, and whatever arrived first; then it is closed. */
  private Res firstBytes(String path) throws Exception {
    HttpResponse<InputStream> r =
        t.http.send(t.request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      in.readNBytes(1);
    }
    return new Res(r.statusCode(), r.headers(), "");
  }
}
