package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.JobContext;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import dev.offload.PermanentFailure;
import dev.offload.internal.Json;
import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A real server on a free port over a real SQLite file, with workers running the test kinds, and an
 * HTTP client for it. The kinds:
 *
 * <ul>
 *   <li>{@code echo}: returns its args;
 *   <li>{@code steps} {@code {steps, delayMs, failEvery?}}: counts to {@code steps} with a message,
 *       a checkpoint half way and (with {@code failEvery}) failed items, then returns {@code
 *       {"steps": n}};
 *   <li>{@code block}: runs until cancelled;
 *   <li>{@code fail}: fails permanently, so it is dead after one attempt;
 *   <li>{@code flaky}: fails its first attempt, succeeds on the second;
 *   <li>{@code gated}: fails permanently while {@link #GATE_CLOSED} is set, else succeeds;
 *   <li>{@code reports.render} in queue {@code reports}: returns at once;
 *   <li>{@code typed}: takes {@link TypedArgs} (so its args are checked at enqueue), returns them.
 * </ul>
 */
final class TestServer implements AutoCloseable {
  /** While true, {@code gated} jobs die; a test opens it before retrying them. */
  static final AtomicBoolean GATE_CLOSED = new AtomicBoolean();

  /** The args of kind {@code typed}. */
  record TypedArgs(int items, String name, java.util.List<Line> lines) {}

  record Line(String sku, long quantity) {}

  final Offload offload;
  final OffloadMetrics metrics;
  final OffloadServer server;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final String base;

  private TestServer(Offload offload, OffloadMetrics metrics, OffloadServer server) {
    this.offload = offload;
    this.metrics = metrics;
    this.server = server;
    this.base = "http://127.0.0.1:" + server.port();
  }

  static TestServer start(Path dir) {
    return start(dir, b -> {});
  }

  static TestServer start(Path dir, Consumer<OffloadServer.Builder> configure) {
    return start(SqliteStore.open(dir.resolve("offload.db")), /* workers= */ true, configure);
  }

  static TestServer start(Store store, boolean workers, Consumer<OffloadServer.Builder> configure) {
    return start(store, workers, o -> {}, configure);
  }

  /**
   * As above, with {@code offloadOptions} applied to the Offload's builder too (a progress key,
   * say).
   */
  static TestServer start(
      Store store,
      boolean workers,
      Consumer<Offload.Builder> offloadOptions,
      Consumer<OffloadServer.Builder> configure) {
    OffloadMetrics metrics = OffloadMetrics.create();
    Offload.Builder ob = builder(store).listener(metrics);
    offloadOptions.accept(ob);
    Offload offload = ob.build();
    if (workers) {
      offload.start();
    }
    OffloadServer.Builder b =
        OffloadServer.builder(offload)
            .port(0)
            .metrics(metrics)
            .heartbeat(Duration.ofMillis(500))
            .feedInterval(Duration.ofMillis(200));
    configure.accept(b);
    OffloadServer server = b.build().start();
    return new TestServer(offload, metrics, server);
  }

  /** An Offload with the test kinds, polling and reporting progress quickly. */
  static Offload.Builder builder(Store store) {
    return Offload.builder()
        .store(store)
        .pollInterval(Duration.ofMillis(100))
        .progressInterval(Duration.ofMillis(50))
        .shutdownGrace(Duration.ofSeconds(1))
        .queue("default", 4)
        .queue("reports", 2)
        .register("echo", JsonNode.class, (args, ctx) -> args)
        .register("steps", JsonNode.class, TestServer::steps)
        .register(
            "block",
            JsonNode.class,
            (args, ctx) -> {
              while (!ctx.isCancelled()) {
                Thread.sleep(10);
              }
              return null;
            })
        .register(
            "fail",
            JsonNode.class,
            (args, ctx) -> {
              throw new PermanentFailure(
                  "upstream refused: " + args.path("reason").asText("no reason"));
            },
            JobOptions.defaults().maxAttempts(1))
        .register(
            "flaky",
            JsonNode.class,
            (args, ctx) -> {
              if (ctx.attempt() == 1) {
                throw new IllegalStateException("first attempt always fails");
              }
              return Json.object().put("attempt", ctx.attempt());
            },
            JobOptions.defaults().maxAttempts(3).retryPolicy(RetryPolicy.immediate()))
        .register(
            "gated",
            JsonNode.class,
            (args, ctx) -> {
              if (GATE_CLOSED.get()) {
                throw new PermanentFailure("the gate is closed");
              }
              return Json.object().put("passed", true);
            },
            JobOptions.defaults().maxAttempts(1))
        .register(
            "reports.render",
            JsonNode.class,
            (args, ctx) -> null,
            JobOptions.defaults().queue("reports"))
        .register("typed", TypedArgs.class, (args, ctx) -> args);
  }

  private static Object steps(JsonNode args, JobContext ctx) throws InterruptedException {
    int steps = args.path("steps").asInt(10);
    long delay = args.path("delayMs").asLong(20);
    int failEvery = args.path("failEvery").asInt(0);
    ctx.total(steps);
    for (int i = 1; i <= steps; i++) {
      Thread.sleep(delay);
      if (failEvery > 0 && i % failEvery == 0) {
        ctx.itemFailed("item-" + i, "item " + i + " was rejected");
      }
      ctx.advance(1);
      ctx.message("Processed " + i + " of " + steps + " items");
      if (i == steps / 2) {
        ctx.checkpoint(Json.object().put("next", i + 1));
      }
    }
    return Json.object().put("steps", steps);
  }

  // ---------------------------------------------------------------- HTTP

  record Res(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      return Json.tree(body);
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    String contentType() {
      return header("Content-Type");
    }
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
  }

  Res send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Res(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Res get(String path) {
    return send(request(path).GET());
  }

  Res post(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json)));
  }

  Res post(String path) {
    return post(path, null);
  }

  Res delete(String path) {
    return send(request(path).DELETE());
  }

  /** Enqueues through the API and returns the job's id. */
  long enqueue(String kind, Object args) {
    ObjectNode body = Json.object().put("kind", kind);
    body.set("args", Json.toTree(args));
    Res r = post("/api/jobs", body.toString());
    if (r.status() != 202) {
      throw new AssertionError("enqueue answered " + r.status() + ": " + r.body());
    }
    return r.json().get("id").asLong();
  }

  /** Enqueues the given request body and returns the job's id. */
  long enqueueWith(String body) {
    Res r = post("/api/jobs", body);
    if (r.status() != 202) {
      throw new AssertionError("enqueue answered " + r.status() + ": " + r.body());
    }
    return r.json().get("id").asLong();
  }

  JsonNode job(long id) {
    return get("/api/jobs/" + id).json();
  }

  String state(long id) {
    return job(id).get("state").asText();
  }

  @Override
  public void close() {
    server.stop();
    offload.close();
  }
}
