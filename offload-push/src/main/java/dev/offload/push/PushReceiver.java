package dev.offload.push;

import dev.offload.JobHandler;
import dev.offload.JobOptions;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The endpoint of a push queue in a Java app: a servlet that runs the job handlers Offload pushes
 * to it. Register it at the queue's push URL:
 *
 * <pre>{@code
 * PushReceiver receiver = PushReceiver.builder()
 *     .secret(System.getenv("OFFLOAD_PUSH_SECRET"))          // the queue's --push-secret-env
 *     .register("orders.sync", SyncArgs.class, new SyncOrders())
 *     .build();
 * servletContext.addServlet("offload", receiver).addMapping("/offload/push");
 * // Spring MVC: @Bean ServletRegistrationBean<PushReceiver> push() {
 * //   return new ServletRegistrationBean<>(receiver, "/offload/push"); }
 * }</pre>
 *
 * <p>For each {@code POST} it checks {@code Offload-Signature} (HMAC-SHA256 of {@code t + "." +
 * body} with the secret, compared in constant time, {@code t} within the tolerance of this clock),
 * reads the args as the kind's registered type and runs its handler on the request's thread with a
 * {@link dev.offload.JobContext} whose {@code deadline()} is the invocation's. It answers:
 *
 * <ul>
 *   <li>{@code 200} with the handler's result as JSON ({@code null} for none);
 *   <li>{@code 202 {"continue": true, "checkpoint": …, "progress": …}} when the handler stored a
 *       checkpoint and returned after {@code ctx.shouldYield()} said true: Offload calls again at
 *       once from that checkpoint, without using an attempt;
 *   <li>{@code 429} with {@code Retry-After} when the handler snoozed ({@code ctx.snooze});
 *   <li>{@code 422} for a permanent failure ({@link dev.offload.PermanentFailure}, an exception
 *       type the kind's {@link JobOptions#permanentOn} lists, an unknown kind, args that do not
 *       fit): the job goes to dead;
 *   <li>{@code 500} when the handler threw anything else: Offload retries with the kind's backoff;
 *   <li>{@code 401} for a missing, wrong or stale signature; the handler does not run.
 * </ul>
 *
 * <p>Progress ({@code ctx.advance}, {@code stage}, {@code message}, {@code itemFailed}) is sent to
 * Offload's {@code progressUrl} with the job token at most once per progress interval, in the
 * background; a failed progress call is logged and never fails the job.
 *
 * <p>Options and defaults: {@code secret} (required, at least 16 bytes), a signature tolerance of 5
 * minutes, the system clock, no invocation limit of its own (the deadline is Offload's), a yield
 * margin of a fifth of the invocation's time (at most 30 s), progress every second. Thread-safe:
 * one instance serves every request.
 */
public final class PushReceiver extends HttpServlet {
  /** The largest push body read: the args (at most 1 MiB by default) and checkpoint fit. */
  static final int MAX_BODY_BYTES = 32 << 20;

  private final transient PushRunner runner;

  private PushReceiver(PushRunner runner) {
    this.runner = runner;
  }

  /** {@return a builder of a receiver} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * An answer to one push: its status, headers and body (JSON, or empty).
   *
   * @param status the HTTP status
   * @param headers headers to send beside {@code Content-Type}
   * @param contentType the body's media type
   * @param body the body
   */
  public record Answer(int status, Map<String, String> headers, String contentType, String body) {
    /** Copies the headers. */
    public Answer {
      headers = Map.copyOf(headers);
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    Answer answer =
        body.length > MAX_BODY_BYTES
            ? PushRunner.problem(
                413, "Push too large", "the body is over " + MAX_BODY_BYTES + " bytes", null)
            : runner.handle(request.getHeader(PushSignature.HEADER), body, null);
    response.setStatus(answer.status());
    answer.headers().forEach(response::setHeader);
    response.setContentType(answer.contentType());
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /**
   * Checks and runs one push outside a servlet container: {@code signatureHeader} is the request's
   * {@code Offload-Signature}, {@code body} its raw bytes. Runs the handler on the calling thread.
   *
   * @param signatureHeader the {@code Offload-Signature} header, or null when absent
   * @param body the request's body
   * @return the answer to send
   */
  public Answer handle(@Nullable String signatureHeader, byte[] body) {
    return runner.handle(signatureHeader, body, null);
  }

  /** Stops the progress reporter's thread; the container calls it when it removes the servlet. */
  @Override
  public void destroy() {
    runner.close();
  }

  /** Configures a {@link PushReceiver}. Not thread-safe. */
  public static final class Builder {
    byte @Nullable [] secret;
    Duration tolerance = Duration.ofMinutes(5);
    final Map<String, PushRunner.Registration<?>> registry = new LinkedHashMap<>();
    InstantSource clock = InstantSource.system();
    @Nullable Duration invocationLimit;
    @Nullable Duration yieldMargin;
    Duration progressInterval = Duration.ofSeconds(1);
    @Nullable HttpClient httpClient;

    Builder() {}

    /**
     * The queue's push secret (the value of its {@code --push-secret-env} variable), UTF-8.
     *
     * @param secret the secret
     * @return this builder
     */
    public Builder secret(String secret) {
      return secret(Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The queue's push secret, as bytes.
     *
     * @param secret the secret
     * @return this builder
     */
    public Builder secret(byte[] secret) {
      this.secret = Objects.requireNonNull(secret, "secret").clone();
      return this;
    }

    /**
     * How far a signature's timestamp may be from this clock; default 5 minutes.
     *
     * @param tolerance the largest difference
     * @return this builder
     */
    public Builder signatureTolerance(Duration tolerance) {
      this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
      return this;
    }

    /**
     * Registers the handler of {@code kind}, as {@code Offload.Builder.register} does.
     *
     * @param <A> the args type
     * @param kind the kind
     * @param argsType the class the args are read as
     * @param handler runs the kind's jobs
     * @return this builder
     */
    public <A> Builder register(String kind, Class<A> argsType, JobHandler<A> handler) {
      return register(kind, argsType, handler, JobOptions.defaults());
    }

    /**
     * Registers the handler of {@code kind}; of {@code options} only {@link JobOptions#permanentOn}
     * applies here (queue, attempts, backoff and timeout are the queue's, in Offload).
     *
     * @param <A> the args type
     * @param kind the kind
     * @param argsType the class the args are read as
     * @param handler runs the kind's jobs
     * @param options the kind's options (only {@code permanentOn} applies)
     * @return this builder
     */
    public <A> Builder register(
        String kind, Class<A> argsType, JobHandler<A> handler, JobOptions options) {
      if (kind == null || kind.isBlank()) {
        throw new IllegalArgumentException("kind must not be blank");
      }
      if (registry.containsKey(kind)) {
        throw new IllegalArgumentException("kind '" + kind + "' is registered twice");
      }
      registry.put(
          kind,
          new PushRunner.Registration<>(
              Objects.requireNonNull(argsType, "argsType"),
              Objects.requireNonNull(handler, "handler"),
              Objects.requireNonNull(options, "options")));
      return this;
    }

    /**
     * The clock that checks signatures' timestamps and deadlines; default the system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The platform's own limit on one call (e.g. 60 s on a serverless function) when it is shorter
     * than the queue's push timeout: the handler's deadline is the earlier of the two. Default
     * none.
     *
     * @param limit the platform's limit
     * @return this builder
     */
    public Builder invocationLimit(Duration limit) {
      this.invocationLimit = Objects.requireNonNull(limit, "invocationLimit");
      return this;
    }

    /**
     * How long before the deadline {@code ctx.shouldYield()} turns true; default a fifth of the
     * invocation's time, at most 30 s.
     *
     * @param margin the time before the deadline
     * @return this builder
     */
    public Builder yieldMargin(Duration margin) {
      this.yieldMargin = Objects.requireNonNull(margin, "yieldMargin");
      return this;
    }

    /**
     * At most how often one invocation's progress is sent; default 1 s.
     *
     * @param interval the least time between two progress calls
     * @return this builder
     */
    public Builder progressInterval(Duration interval) {
      this.progressInterval = Objects.requireNonNull(interval, "progressInterval");
      return this;
    }

    /**
     * The client of the progress calls; default a new {@link HttpClient}.
     *
     * @param client the client
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the receiver
     * @throws IllegalStateException naming the option that is missing or wrong
     */
    public PushReceiver build() {
      return new PushReceiver(runner());
    }

    /** Validates and builds what runs the pushes, without the servlet (the Lambda adapter's). */
    PushRunner runner() {
      byte[] key = secret;
      if (key == null || key.length < 16) {
        throw new IllegalStateException(
            "secret must be at least 16 bytes (the queue's push secret), got "
                + (key == null ? "none" : key.length + " bytes"));
      }
      if (registry.isEmpty()) {
        throw new IllegalStateException(
            "no handlers: register(kind, ArgsType.class, handler) at least one kind");
      }
      requirePositive("signatureTolerance", tolerance);
      requirePositive("progressInterval", progressInterval);
      if (invocationLimit != null) {
        requirePositive("invocationLimit", invocationLimit);
      }
      if (yieldMargin != null && yieldMargin.isNegative()) {
        throw new IllegalStateException("yieldMargin must not be negative, got " + yieldMargin);
      }
      return new PushRunner(this, key);
    }

    private static void requirePositive(String field, @Nullable Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalStateException(field + " must be positive, got " + value);
      }
    }
  }
}
