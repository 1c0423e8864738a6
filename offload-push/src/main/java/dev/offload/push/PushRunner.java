package dev.offload.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.JobContext.Snooze;
import dev.offload.JobHandler;
import dev.offload.JobOptions;
import dev.offload.internal.Json;
import dev.offload.push.PushReceiver.Answer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs the pushes, apart from any servlet: checks the signature, reads the body and the args,
 * runs the handler with its {@link PushInvocation} and turns the outcome into an {@link Answer}.
 * Shared by {@link PushReceiver} and {@link LambdaPushHandler}. Thread-safe.
 */
final class PushRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PushRunner.class);
  private static final Duration MAX_YIELD_MARGIN = Duration.ofSeconds(30);

  private final PushSignature signature;
  private final Map<String, Registration<?>> registry;
  private final InstantSource clock;
  private final @Nullable Duration invocationLimit;
  private final @Nullable Duration yieldMargin;
  private final ProgressReporter reporter;

  PushRunner(PushReceiver.Builder b, byte[] secret) {
    this.signature = new PushSignature(secret, b.tolerance);
    this.registry = Map.copyOf(b.registry);
    this.clock = b.clock;
    this.invocationLimit = b.invocationLimit;
    this.yieldMargin = b.yieldMargin;
    HttpClient http = b.httpClient != null ? b.httpClient : HttpClient.newHttpClient();
    this.reporter = new ProgressReporter(http, b.progressInterval);
  }

  InstantSource clock() {
    return clock;
  }

  record Registration<A>(Class<A> argsType, JobHandler<A> handler, JobOptions options) {}

  /**
   * Checks and runs one push on the calling thread; {@code mustEndBy} is when the platform cuts
   * this call off, if it says (a function's remaining time), else null.
   */
  Answer handle(@Nullable String signatureHeader, byte[] body, @Nullable Instant mustEndBy) {
    Instant arrived = clock.instant();
    String refusal = signature.refusal(signatureHeader, body, arrived);
    if (refusal != null) {
      log.warn("refused a push: {}", refusal);
      return problem(401, "Bad signature", refusal, null);
    }
    PushRequest push;
    try {
      push = PushRequest.parse(body);
    } catch (PushRequest.BadPush e) {
      return invalid(e.field, e.getMessage());
    }
    Registration<?> registration = registry.get(push.kind());
    if (registration == null) {
      return invalid(
          "kind", "no handler for kind '" + push.kind() + "' here; known: " + registry.keySet());
    }
    Object args;
    try {
      args = Json.convert(push.args(), registration.argsType());
    } catch (Exception e) {
      return invalid(
          "args",
          "args do not match " + registration.argsType().getSimpleName() + ": " + e.getMessage());
    }
    Instant deadline = deadline(push, arrived, mustEndBy);
    PushInvocation invocation =
        new PushInvocation(push, deadline, yieldAt(arrived, deadline), clock, reporter);
    reporter.started(invocation);
    try {
      Object result = invoke(registration, args, invocation);
      if (invocation.continues()) {
        return continuation(invocation);
      }
      return new Answer(200, Map.of(), "application/json", Json.write(result));
    } catch (Snooze s) {
      long seconds = (s.delay().toMillis() + 999) / 1000;
      return withHeader(
          problem(429, "Snoozed", "the handler snoozed for " + s.delay(), null),
          "Retry-After",
          Long.toString(seconds));
    } catch (Exception e) {
      if (registration.options().isPermanent(e)) {
        return problem(422, "Permanent failure", e.getMessage(), e.getClass().getName());
      }
      log.warn("job {} ({}) failed on attempt {}", push.id(), push.kind(), push.attempt(), e);
      return problem(500, "Handler failed", e.getMessage(), e.getClass().getName());
    } finally {
      reporter.finished(invocation, flushWait(deadline));
    }
  }

  /** Offload's deadline, or this receiver's invocation limit or the platform's when earlier. */
  private Instant deadline(PushRequest push, Instant arrived, @Nullable Instant mustEndBy) {
    Instant deadline = push.deadline();
    if (invocationLimit != null && arrived.plus(invocationLimit).isBefore(deadline)) {
      deadline = arrived.plus(invocationLimit);
    }
    if (mustEndBy != null && mustEndBy.isBefore(deadline)) {
      deadline = mustEndBy;
    }
    return deadline;
  }

  private Instant yieldAt(Instant arrived, Instant deadline) {
    if (yieldMargin != null) {
      return deadline.minus(yieldMargin);
    }
    Duration budget = Duration.between(arrived, deadline);
    if (budget.isNegative()) {
      return arrived;
    }
    Duration fifth = budget.dividedBy(5);
    return deadline.minus(fifth.compareTo(MAX_YIELD_MARGIN) > 0 ? MAX_YIELD_MARGIN : fifth);
  }

  /** How long the last progress call may hold the answer: never past the deadline, at most 2 s. */
  private Duration flushWait(Instant deadline) {
    Duration left = Duration.between(clock.instant(), deadline).dividedBy(2);
    Duration most = Duration.ofSeconds(2);
    Duration least = Duration.ofMillis(200);
    return left.compareTo(most) > 0 ? most : left.compareTo(least) < 0 ? least : left;
  }

  private static Answer continuation(PushInvocation invocation) {
    ObjectNode body = Json.object();
    body.put("continue", true);
    String checkpoint = invocation.progress().checkpointJson();
    JsonNode tree = checkpoint == null ? null : Json.tree(checkpoint);
    body.set("checkpoint", tree == null ? body.nullNode() : tree);
    body.set("progress", invocation.progress().snapshot());
    return new Answer(202, Map.of(), "application/json", Json.write(body));
  }

  private static Answer invalid(String field, @Nullable String detail) {
    Answer a = problem(422, "Invalid push", detail, null);
    ObjectNode body = (ObjectNode) Json.tree(a.body());
    body.put("field", field);
    return new Answer(422, Map.of(), a.contentType(), Json.write(body));
  }

  static Answer problem(
      int status, String title, @Nullable String detail, @Nullable String errorClass) {
    ObjectNode body = Json.object();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail == null ? title : detail);
    if (errorClass != null) {
      body.put("errorClass", errorClass);
    }
    return new Answer(status, Map.of(), "application/problem+json", Json.write(body));
  }

  private static Answer withHeader(Answer a, String name, String value) {
    Map<String, String> headers = new LinkedHashMap<>(a.headers());
    headers.put(name, value);
    return new Answer(a.status(), headers, a.contentType(), a.body());
  }

  @SuppressWarnings("unchecked")
  private static <A> Object invoke(Registration<A> r, Object args, PushInvocation ctx)
      throws Exception {
    return r.handler().run((A) args, ctx);
  }

  @Override
  public void close() {
    reporter.close();
  }
}
