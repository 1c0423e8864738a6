package dev.offload.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.PermanentFailure;
import dev.offload.QueueOptions;
import dev.offload.internal.Json;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.Completion;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the jobs of push queues: each claimed job is POSTed to its queue's endpoint (see {@code
 * docs/push.md} for the wire format) and the answer ends the attempt as a handler's outcome would.
 *
 * <p>Asynchronous: requests go out through one JDK {@link HttpClient} (HTTP/2 where an https
 * endpoint offers it), whose two threads serve every request in flight; answers are handled on
 * {@value #ANSWER_THREADS} more threads, which write checkpoints and progress. So one node holds as
 * many pushes in flight as its queues' concurrency allows, with a handful of threads. The attempt
 * is an {@link Execution} like a handler's: the producer's slot, the heartbeat that renews its
 * lease, cancellation and lease loss (which cut the request off) all work unchanged.
 *
 * <p>A {@code 202 {"continue": true}} answer stores the checkpoint and progress it carries and
 * delivers the job again at once, within the same attempt and claim: the job is never delivered
 * twice at once, since each delivery starts only after the last one answered.
 */
final class PushDispatcher {
  private static final Logger log = LoggerFactory.getLogger(PushDispatcher.class);
  static final int ANSWER_THREADS = 4;

  /** How much of an error answer's body goes into the job's error. */
  static final int ERROR_BODY_CHARS = 500;

  /** The longest Retry-After honoured; a longer one snoozes this long. */
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

  private final Engine engine;
  private final ExecutorService clientThreads;
  private final ExecutorService answerThreads;
  private final HttpClient client;

  PushDispatcher(Engine engine) {
    this.engine = engine;
    this.clientThreads =
        Executors.newFixedThreadPool(
            2, Thread.ofPlatform().daemon().name("offload-push-io-", 0).factory());
    this.answerThreads =
        Executors.newFixedThreadPool(
            ANSWER_THREADS, Thread.ofPlatform().daemon().name("offload-push-", 0).factory());
    this.client =
        HttpClient.newBuilder()
            .executor(clientThreads)
            .version(HttpClient.Version.HTTP_2)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** Starts delivering an attempt; its answer ends it (or continues it) later. */
  void deliver(Execution ex, QueueOptions.Push push) {
    send(ex, push, ex.job.checkpointJson());
  }

  private void send(Execution ex, QueueOptions.Push push, @Nullable String checkpointJson) {
    if (ex.isSettled()) {
      return;
    }
    HttpRequest request;
    try {
      request = request(ex, push, checkpointJson);
    } catch (RuntimeException e) {
      // The secret's variable is missing here, or the args are unreadable: an error like a
      // handler's, retried (another node may have the variable).
      engine.pushFailed(ex, e);
      return;
    }
    CompletableFuture<HttpResponse<byte[]>> call =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    ex.call = call;
    if (ex.isCancelled()) {
      call.cancel(true);
    }
    call.whenCompleteAsync(
        (response, error) -> {
          try {
            answered(ex, push, response, error);
          } catch (RuntimeException e) {
            log.warn("handling the push answer of job {} failed", ex.job.id(), e);
            engine.pushFailed(ex, e);
          }
        },
        answerThreads);
  }

  HttpRequest request(Execution ex, QueueOptions.Push push, @Nullable String checkpointJson) {
    ClaimedJob job = ex.job;
    // Wall-clock time, not the engine's (injectable) clock: the endpoint checks both against its
    // own clock.
    Instant now = Instant.now();
    ObjectNode body = Json.object();
    body.put("id", job.id());
    body.put("kind", job.kind());
    body.set("args", Json.tree(job.argsJson()));
    body.put("attempt", job.attempt());
    body.put("maxAttempts", job.maxAttempts());
    body.set("checkpoint", checkpointJson == null ? null : Json.tree(checkpointJson));
    body.put("deadline", now.plus(push.timeout()).toString());
    body.put("jobToken", PushTokens.jobToken(job.id(), job.token()));
    URI base = engine.config().publicUrl();
    if (base != null) {
      body.put("progressUrl", base.resolve("api/jobs/" + job.id() + "/progress").toString());
    }
    byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(push.url())
            .timeout(push.timeout())
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", job.id() + "-" + job.attempt())
            .header("Offload-Job-Id", Long.toString(job.id()))
            .header("Offload-Attempt", Integer.toString(job.attempt()))
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    if ("http".equalsIgnoreCase(push.url().getScheme())) {
      // Plain http would try an h2c upgrade, which many servers mishandle.
      b.version(HttpClient.Version.HTTP_1_1);
    }
    if (push.secretEnv() != null) {
      String secret = engine.config().pushSecrets().apply(push.secretEnv());
      if (secret == null || secret.isEmpty()) {
        throw new IllegalStateException(
            "the push secret's environment variable "
                + push.secretEnv()
                + " is not set on node "
                + engine.config().node());
      }
      b.header("Offload-Signature", PushTokens.signature(secret, now.getEpochSecond(), bytes));
    }
    return b.build();
  }

  private void answered(
      Execution ex,
      QueueOptions.Push push,
      @Nullable HttpResponse<byte[]> response,
      @Nullable Throwable error) {
    if (ex.isSettled()) {
      return; // cancelled, or its lease was lost: someone else ended it
    }
    if (error != null) {
      Throwable cause =
          error instanceof CompletionException && error.getCause() != null
              ? error.getCause()
              : error;
      if (cause instanceof CancellationException) {
        return;
      }
      engine.pushFailed(ex, transportError(cause, push));
      return;
    }
    int status = response.statusCode();
    byte[] body = response.body() == null ? new byte[0] : response.body();
    if (status == 202) {
      JsonNode answer = jsonOrNull(body);
      if (answer != null && answer.path("continue").asBoolean(false)) {
        continued(ex, push, answer);
        return;
      }
    }
    if (status >= 200 && status < 300) {
      engine.pushSucceeded(ex, resultJson(body));
      return;
    }
    if (status == 429 || status == 503) {
      Duration wait = retryAfter(response);
      if (wait != null) {
        engine.pushSnoozed(ex, wait);
        return;
      }
    }
    String said = "the push endpoint answered " + status + bodyStart(body);
    if (status >= 500 || status == 408 || status == 429) {
      engine.pushFailed(ex, new PushFailure(said));
    } else {
      engine.pushFailed(ex, new PushRefused(said));
    }
  }

  /** A 202 continuation: store its checkpoint and progress, then deliver again at once. */
  private void continued(Execution ex, QueueOptions.Push push, JsonNode answer) {
    // Without a checkpoint in the answer, the stored one: the endpoint may have sent one to the
    // progress URL meanwhile.
    String checkpoint = ex.pushCheckpoint(null);
    JsonNode given = answer.get("checkpoint");
    if (given != null && !given.isNull()) {
      checkpoint = given.toString();
      if (!engine.writeCheckpoint(ex, checkpoint, null)) {
        engine.pushLostLease(ex);
        return;
      }
      ex.pushCheckpoint(checkpoint);
    } else {
      checkpoint = engine.storedCheckpoint(ex.job.id(), checkpoint);
    }
    JsonNode progress = answer.get("progress");
    if (progress != null && progress.isObject()) {
      try {
        engine.pushProgressWrite(ex, PushProgress.fromAnswer(progress, Instant.now()));
      } catch (IllegalArgumentException e) {
        log.debug("job {}: ignoring unreadable progress in a continuation: {}", ex.job.id(), e);
      }
    }
    ex.continuations++;
    send(ex, push, checkpoint);
  }

  private static Throwable transportError(Throwable cause, QueueOptions.Push push) {
    if (cause instanceof HttpTimeoutException) {
      return new PushFailure("the push endpoint did not answer within " + push.timeout());
    }
    if (cause instanceof ConnectException) {
      return new PushFailure("the push endpoint refused the connection or could not be reached");
    }
    if (cause instanceof IOException) {
      return new PushFailure(
          "the push request failed: "
              + cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    }
    return cause;
  }

  private static @Nullable JsonNode jsonOrNull(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return Json.parse(body);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The result: the body's JSON, null for an empty body, a JSON string for text. */
  static @Nullable String resultJson(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return null;
    }
    JsonNode json = jsonOrNull(body);
    return json != null ? json.toString() : Json.write(text);
  }

  private static String bodyStart(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return "";
    }
    return ": "
        + (text.length() > ERROR_BODY_CHARS ? text.substring(0, ERROR_BODY_CHARS) + "…" : text);
  }

  /** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
  static @Nullable Duration retryAfter(HttpResponse<?> response) {
    String value = response.headers().firstValue("Retry-After").orElse(null);
    if (value == null || value.isBlank()) {
      return null;
    }
    Duration wait;
    try {
      wait = Duration.ofSeconds(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      try {
        Instant at =
            java.time.ZonedDateTime.parse(
                    value.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                .toInstant();
        wait = Duration.between(Instant.now(), at);
      } catch (java.time.format.DateTimeParseException e2) {
        return null;
      }
    }
    if (wait.isNegative()) {
      return Duration.ZERO;
    }
    return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
  }

  /** Ends the threads; requests in flight are cut off. */
  void close() {
    clientThreads.shutdownNow();
    answerThreads.shutdownNow();
    try {
      answerThreads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The retried failure of a delivery: no stack trace, the message says it all. */
  static final class PushFailure extends RuntimeException {
    PushFailure(String message) {
      super(message, null, false, false);
    }
  }

  /** The permanent failure of a delivery (a 4xx): dead at once; no stack trace either. */
  static final class PushRefused extends PermanentFailure {
    PushRefused(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** The options a push job fails by: its kind's when this node registers it, else defaults. */
  static JobOptions options(Execution ex) {
    return RetryOrDead.options(ex.registration);
  }

  static Completion snooze(Execution ex, Instant now, Duration wait) {
    return Engine.plainEnd(ex.job, JobState.RETRYING, now, now.plus(wait), null, null, true);
  }
}
