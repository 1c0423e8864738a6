package dev.offload.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job.Stage;
import dev.offload.JobOptions;
import dev.offload.PermanentFailure;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A PushReceiver in Jetty, called over HTTP as Offload's dispatcher calls it. */
class PushReceiverTest {
  record Greet(String name) {}

  record Greeting(String greeting) {}

  record Sync(int pages) {}

  record Cursor(int page) {}

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private ReceiverServer serve(PushReceiver.Builder builder) throws Exception {
    ReceiverServer server = new ReceiverServer(builder.secret(ReceiverServer.SECRET).build());
    closing.add(server);
    return server;
  }

  private ProgressEndpoint progressEndpoint() throws Exception {
    ProgressEndpoint endpoint = new ProgressEndpoint();
    closing.add(endpoint);
    return endpoint;
  }

  private static Instant inAMinute() {
    return Instant.now().plusSeconds(60);
  }

  // ---------------------------------------------------------------- signature

  @Test
  void aValidSignatureRunsTheHandlerAndAnswersItsResult() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    Instant deadline = inAMinute();
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .register(
                    "greet",
                    Greet.class,
                    (args, ctx) -> {
                      seen.set(
                          ctx.id().value()
                              + " "
                              + ctx.kind()
                              + " "
                              + ctx.attempt()
                              + "/"
                              + ctx.maxAttempts()
                              + " until "
                              + ctx.deadline().orElseThrow());
                      return new Greeting("hello " + args.name());
                    }));
    HttpResponse<String> response =
        server.push(ReceiverServer.body(41, "greet", new Greet("Ada"), deadline));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/json");
    assertThat(ReceiverServer.json(response).get("greeting").asText()).isEqualTo("hello Ada");
    assertThat(seen.get()).isEqualTo("41 greet 1/20 until " + deadline);
  }

  @Test
  void aHandlerThatReturnsNothingAnswersNull() throws Exception {
    ReceiverServer server =
        serve(PushReceiver.builder().register("noop", Greet.class, (args, ctx) -> null));
    HttpResponse<String> response =
        server.push(ReceiverServer.body(1, "noop", new Greet("x"), inAMinute()));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("null");
  }

  @Test
  void aWrongSecretIsRefusedAndTheHandlerDoesNotRun() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .register("greet", Greet.class, (args, ctx) -> runs.incrementAndGet()));
    ObjectNode body = ReceiverServer.body(1, "greet", new Greet("x"), inAMinute());
    HttpResponse<String> response =
        server.push(body, "another-secret-0123456789", Instant.now().getEpochSecond());
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(ReceiverServer.json(response).get("detail").asText()).contains("does not match");
    assertThat(runs.get()).isZero();
  }

  @Test
  void aStaleOrFutureTimestampIsRefusedEvenWhenSignedWithTheSecret() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .register("greet", Greet.class, (args, ctx) -> runs.incrementAndGet()));
    ObjectNode body = ReceiverServer.body(1, "greet", new Greet("x"), inAMinute());
    long now = Instant.now().getEpochSecond();
    HttpResponse<String> replayed = server.push(body, ReceiverServer.SECRET, now - 400);
    assertThat(replayed.statusCode()).isEqualTo(401);
    assertThat(ReceiverServer.json(replayed).get("detail").asText()).contains("timestamp");
    assertThat(server.push(body, ReceiverServer.SECRET, now + 400).statusCode()).isEqualTo(401);
    assertThat(runs.get()).isZero();
    // Within the tolerance it runs.
    assertThat(server.push(body, ReceiverServer.SECRET, now - 200).statusCode()).isEqualTo(200);
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void aMissingSignatureOrATamperedBodyIsRefused() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .register("greet", Greet.class, (args, ctx) -> runs.incrementAndGet()));
    byte[] signed =
        ReceiverServer.JSON.writeValueAsBytes(
            ReceiverServer.body(1, "greet", new Greet("x"), inAMinute()));
    String header =
        ReceiverServer.signature(ReceiverServer.SECRET, Instant.now().getEpochSecond(), signed);
    byte[] tampered =
        ReceiverServer.JSON.writeValueAsBytes(
            ReceiverServer.body(1, "greet", new Greet("y"), inAMinute()));
    assertThat(server.send(tampered, header).statusCode()).isEqualTo(401);
    assertThat(server.send(signed, null).statusCode()).isEqualTo(401);
    assertThat(server.send(signed, "t=abc,v1=00").statusCode()).isEqualTo(401);
    assertThat(runs.get()).isZero();
    assertThat(server.send(signed, header).statusCode()).isEqualTo(200);
  }

  @Test
  void onlyPostIsAnswered() throws Exception {
    ReceiverServer server =
        serve(PushReceiver.builder().register("noop", Greet.class, (args, ctx) -> null));
    assertThat(server.get().statusCode()).isEqualTo(405);
  }

  // ---------------------------------------------------------------- continuations

  /** A clock the handler moves: each page of the sync "takes" ten seconds. */
  static final class WorkClock implements InstantSource {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  @Test
  void aHandlerThatYieldsIsAnsweredWithAContinuationAndTheNextCallResumesFromItsCheckpoint()
      throws Exception {
    WorkClock clock = new WorkClock();
    List<Integer> pagesDone = new CopyOnWriteArrayList<>();
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .clock(clock)
                .register(
                    "sync",
                    Sync.class,
                    (args, ctx) -> {
                      ctx.stage("import", args.pages());
                      int from = ctx.checkpoint(Cursor.class).map(Cursor::page).orElse(0);
                      ctx.done(from);
                      for (int page = from; page < args.pages(); page++) {
                        if (ctx.shouldYield()) {
                          ctx.checkpoint(new Cursor(page));
                          ctx.message("yielded at page " + page);
                          return "not the result";
                        }
                        pagesDone.add(page);
                        ctx.advance(1);
                        clock.now.updateAndGet(t -> t.plusSeconds(10));
                      }
                      return "synced " + pagesDone.size() + " pages";
                    }));
    // 60 s per call: the handler is told to yield 12 s before the end, so it does 5 pages a call.
    ObjectNode body = ReceiverServer.body(7, "sync", new Sync(12), Instant.now().plusSeconds(60));
    List<JsonNode> checkpoints = new CopyOnWriteArrayList<>();
    HttpResponse<String> response;
    int calls = 0;
    while (true) {
      clock.now.set(Instant.now());
      body.put("deadline", clock.now.get().plusSeconds(60).toString());
      response = server.push(body);
      calls++;
      if (response.statusCode() != 202) {
        break;
      }
      JsonNode answer = ReceiverServer.json(response);
      assertThat(answer.get("continue").asBoolean()).isTrue();
      assertThat(answer.get("progress").get("stage").asText()).isEqualTo("import");
      checkpoints.add(answer.get("checkpoint"));
      if (calls == 1) {
        assertThat(answer.get("progress").get("percent").asDouble()).isEqualTo(41.7);
        assertThat(answer.get("progress").get("message").asText()).isEqualTo("yielded at page 5");
      }
      body.set("checkpoint", answer.get("checkpoint")); // as Offload stores and sends it back
      assertThat(calls).isLessThan(10);
    }
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(ReceiverServer.json(response).asText()).isEqualTo("synced 12 pages");
    assertThat(checkpoints).extracting(c -> c.get("page").asInt()).containsExactly(5, 10);
    assertThat(pagesDone).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  }

  @Test
  void aHandlerToldToYieldThatStoresNoCheckpointFinishesNormally() throws Exception {
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .yieldMargin(Duration.ofMinutes(5))
                .register(
                    "quick",
                    Greet.class,
                    (args, ctx) -> ctx.shouldYield() ? "told to yield, done anyway" : "not told"));
    HttpResponse<String> response =
        server.push(ReceiverServer.body(1, "quick", new Greet("x"), inAMinute()));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(ReceiverServer.json(response).asText()).isEqualTo("told to yield, done anyway");
  }

  @Test
  void theInvocationLimitShortensTheDeadlineOffloadSent() throws Exception {
    AtomicReference<Instant> deadline = new AtomicReference<>();
    WorkClock clock = new WorkClock();
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .clock(clock)
                .invocationLimit(Duration.ofSeconds(5))
                .register(
                    "k",
                    Greet.class,
                    (args, ctx) -> {
                      deadline.set(ctx.deadline().orElseThrow());
                      return null;
                    }));
    Instant arrival = clock.instant();
    server.push(ReceiverServer.body(1, "k", new Greet("x"), arrival.plusSeconds(900)));
    assertThat(deadline.get()).isEqualTo(arrival.plusSeconds(5));
  }

  // ---------------------------------------------------------------- progress

  @Test
  void progressReachesOffloadWithTheJobTokenWhileTheHandlerRuns() throws Exception {
    ProgressEndpoint offload = progressEndpoint();
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .progressInterval(Duration.ofMillis(50))
                .register(
                    "import",
                    Sync.class,
                    (args, ctx) -> {
                      ctx.stages(Stage.of("fetch", 1), Stage.of("import", 3));
                      ctx.stage("fetch", 10);
                      ctx.advance(10);
                      ctx.stage("import", 4);
                      ctx.advance(2);
                      ctx.message("imported 2 of 4");
                      // The call goes on until Offload has heard of it.
                      await().atMost(Duration.ofSeconds(20)).until(() -> !offload.calls.isEmpty());
                      ctx.itemFailed("order-9", new IllegalArgumentException("no such customer"));
                      return "done";
                    }));
    ObjectNode body = ReceiverServer.body(12, "import", new Sync(4), inAMinute());
    body.put("progressUrl", offload.url(12));
    HttpResponse<String> response = server.push(body);
    assertThat(response.statusCode()).isEqualTo(200);
    ProgressEndpoint.Call first = offload.calls.get(0);
    assertThat(first.authorization()).isEqualTo("Bearer job-token-12");
    assertThat(first.body().get("stage").asText()).isEqualTo("import");
    assertThat(first.body().get("percent").asDouble()).isEqualTo(62.5); // 1/4 + 3/4 * 2/4
    assertThat(first.body().get("message").asText()).isEqualTo("imported 2 of 4");
    // The failed item, reported after the last tick, was sent before the answer.
    assertThat(offload.calls)
        .flatExtracting(
            c -> c.body().has("failedItems") ? List.of(c.body().get("failedItems")) : List.of())
        .singleElement()
        .satisfies(items -> {
          assertThat(items.get(0).get("key").asText()).isEqualTo("order-9");
          assertThat(items.get(0).get("error").asText())
              .isEqualTo("IllegalArgumentException: no such customer");
        });
    assertThat(offload.calls).allMatch(c -> c.authorization().equals("Bearer job-token-12"));
  }

  @Test
  void aCheckpointIsSentToOffloadAtOnce() throws Exception {
    ProgressEndpoint offload = progressEndpoint();
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .progressInterval(Duration.ofMinutes(1)) // no tick during the test
                .register(
                    "k",
                    Sync.class,
                    (args, ctx) -> {
                      ctx.checkpoint(new Cursor(3));
                      await()
                          .atMost(Duration.ofSeconds(20))
                          .until(() ->
                              offload.calls.stream().anyMatch(c -> c.body().has("checkpoint")));
                      return null;
                    }));
    ObjectNode body = ReceiverServer.body(5, "k", new Sync(1), inAMinute());
    body.put("progressUrl", offload.url(5));
    assertThat(server.push(body).statusCode()).isEqualTo(200);
    assertThat(offload.calls.get(0).body().get("checkpoint").get("page").asInt()).isEqualTo(3);
  }

  @Test
  void aProgressEndpointThatFailsOrNeverAnswersDoesNotFailTheJob() throws Exception {
    ProgressEndpoint failing = progressEndpoint();
    failing.status.set(503);
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      ReceiverServer server =
          serve(
              PushReceiver.builder()
                  .progressInterval(Duration.ofMillis(20))
                  .register(
                      "k",
                      Sync.class,
                      (args, ctx) -> {
                        ctx.total(2);
                        ctx.advance(1);
                        ctx.itemFailed("a", "broken");
                        ctx.checkpoint(new Cursor(1));
                        return "done despite progress";
                      }));
      ObjectNode toFailing = ReceiverServer.body(1, "k", new Sync(1), inAMinute());
      toFailing.put("progressUrl", failing.url(1));
      HttpResponse<String> first = server.push(toFailing);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(ReceiverServer.json(first).asText()).isEqualTo("done despite progress");
      assertThat(failing.calls).isNotEmpty();

      // A socket that accepts connections and never answers.
      ObjectNode toSilent = ReceiverServer.body(2, "k", new Sync(1), inAMinute());
      toSilent.put(
          "progressUrl", "http://127.0.0.1:" + silent.getLocalPort() + "/api/jobs/2/progress");
      HttpResponse<String> second = server.push(toSilent);
      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(ReceiverServer.json(second).asText()).isEqualTo("done despite progress");
    }
  }

  @Test
  void offloadSayingTheAttemptIsOverCancelsItAndTheHandlerYields() throws Exception {
    ProgressEndpoint offload = progressEndpoint();
    offload.status.set(409); // the job was cancelled meanwhile
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .progressInterval(Duration.ofMillis(20))
                .register(
                    "k",
                    Sync.class,
                    (args, ctx) -> {
                      ctx.advance(1);
                      await().atMost(Duration.ofSeconds(20)).until(ctx::shouldYield);
                      return "cancelled: " + ctx.isCancelled();
                    }));
    ObjectNode body = ReceiverServer.body(3, "k", new Sync(1), inAMinute());
    body.put("progressUrl", offload.url(3));
    HttpResponse<String> response = server.push(body);
    assertThat(ReceiverServer.json(response).asText()).isEqualTo("cancelled: true");
  }

  // ---------------------------------------------------------------- outcomes

  @Test
  void aSnoozeIsAnswered429WithRetryAfter() throws Exception {
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .register(
                    "limited",
                    Greet.class,
                    (args, ctx) -> {
                      ctx.snooze(Duration.ofMillis(29_500)); // the upstream said 429
                      return null;
                    }));
    HttpResponse<String> response =
        server.push(ReceiverServer.body(1, "limited", new Greet("x"), inAMinute()));
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
  }

  static final class UpstreamGone extends RuntimeException {
    UpstreamGone(String message) {
      super(message);
    }
  }

  @Test
  void aPermanentFailureIsAnswered422AndOtherErrors500WithoutAStackTrace() throws Exception {
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .register(
                    "tenant",
                    Greet.class,
                    (args, ctx) -> {
                      throw new PermanentFailure("no such tenant " + args.name());
                    })
                .register(
                    "gone",
                    Greet.class,
                    (args, ctx) -> {
                      throw new UpstreamGone("the upstream API was retired");
                    },
                    JobOptions.defaults().permanentOn(UpstreamGone.class))
                .register(
                    "flaky",
                    Greet.class,
                    (args, ctx) -> {
                      throw new IllegalStateException("upstream answered 502");
                    }));
    HttpResponse<String> permanent =
        server.push(ReceiverServer.body(1, "tenant", new Greet("acme"), inAMinute()));
    assertThat(permanent.statusCode()).isEqualTo(422);
    assertThat(ReceiverServer.json(permanent).get("detail").asText())
        .isEqualTo("no such tenant acme");
    assertThat(ReceiverServer.json(permanent).get("errorClass").asText())
        .isEqualTo(PermanentFailure.class.getName());

    HttpResponse<String> declared =
        server.push(ReceiverServer.body(2, "gone", new Greet("x"), inAMinute()));
    assertThat(declared.statusCode()).isEqualTo(422);
    assertThat(ReceiverServer.json(declared).get("errorClass").asText())
        .isEqualTo(UpstreamGone.class.getName());

    HttpResponse<String> retried =
        server.push(ReceiverServer.body(3, "flaky", new Greet("x"), inAMinute()));
    assertThat(retried.statusCode()).isEqualTo(500);
    assertThat(ReceiverServer.json(retried).get("detail").asText())
        .isEqualTo("upstream answered 502");
    assertThat(retried.body()).doesNotContain("at dev.offload").doesNotContain("\tat ");
  }

  @Test
  void anUnknownKindBadArgsOrABadBodyAreAnswered422NamingTheField() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ReceiverServer server =
        serve(
            PushReceiver.builder()
                .register("greet", Greet.class, (args, ctx) -> runs.incrementAndGet()));
    HttpResponse<String> unknown =
        server.push(ReceiverServer.body(1, "nope", new Greet("x"), inAMinute()));
    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(ReceiverServer.json(unknown).get("field").asText()).isEqualTo("kind");
    assertThat(ReceiverServer.json(unknown).get("detail").asText()).contains("nope", "greet");

    ObjectNode badArgs = ReceiverServer.body(2, "greet", new Greet("x"), inAMinute());
    badArgs.set("args", ReceiverServer.JSON.readTree("{\"name\": {\"nested\": true}}"));
    HttpResponse<String> args = server.push(badArgs);
    assertThat(args.statusCode()).isEqualTo(422);
    assertThat(ReceiverServer.json(args).get("field").asText()).isEqualTo("args");

    ObjectNode noDeadline = ReceiverServer.body(3, "greet", new Greet("x"), inAMinute());
    noDeadline.remove("deadline");
    HttpResponse<String> deadline = server.push(noDeadline);
    assertThat(deadline.statusCode()).isEqualTo(422);
    assertThat(ReceiverServer.json(deadline).get("field").asText()).isEqualTo("deadline");
    assertThat(runs.get()).isZero();
  }

  @Test
  void theBuilderNamesWhatIsMissing() {
    assertThatThrownBy(() ->
            PushReceiver.builder()
                .secret("short")
                .register("k", Greet.class, (a, c) -> null)
                .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("secret must be at least 16 bytes");
    assertThatThrownBy(() -> PushReceiver.builder().secret(ReceiverServer.SECRET).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no handlers");
  }
}
