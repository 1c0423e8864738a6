package dev.offload.server;

import dev.offload.Offload;
import dev.offload.OffloadException;
import dev.offload.OffloadException.InvalidJobException;
import dev.offload.OffloadException.NoSuchJobException;
import dev.offload.OffloadException.UnknownKindException;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offload over HTTP: the JSON API, Server-Sent Events, the dashboard at {@code /}, {@code /metrics}
 * and {@code /health}, as {@code docs/design.md} ("Contracts: HTTP") and {@code docs/openapi.json}
 * describe them.
 *
 * <pre>{@code
 * OffloadMetrics metrics = OffloadMetrics.create();
 * Offload offload = Offload.builder().store(store).listener(metrics).register(...).build();
 * offload.start();                                   // or not, to serve only the API and dashboard
 * OffloadServer server = OffloadServer.builder(offload).port(8080).metrics(metrics).build().start();
 * ...
 * server.stop();
 * offload.close();
 * }</pre>
 *
 * <p>Options and defaults: bind address {@code 127.0.0.1}; port 8080 (0 picks a free one, see
 * {@link #port()}); no token, which is only allowed on a loopback address; request bodies of at
 * most {@value #DEFAULT_MAX_BODY_BYTES} bytes (1 MiB of args plus room for the other fields); a
 * request budget of 10 s for the advice of {@code GET /api/kinds}; metrics of its own when none are
 * given (then the job counters stay at 0: register {@link OffloadMetrics} as a listener to count).
 *
 * <p>Security: with a token every {@code /api} request needs {@code Authorization: Bearer}; without
 * one the server answers only to loopback host names and same-origin browser requests (see {@code
 * Security}). Job data reaches HTML only through the dashboard's script, which inserts it as text.
 *
 * <p>The server does not own the {@link Offload}: {@link #stop()} ends open event streams and the
 * HTTP listener, and the caller closes the Offload. Thread-safe.
 */
public final class OffloadServer implements AutoCloseable {
  /** 1 MiB of args (Offload's default limit) plus 64 KiB for the rest of the request. */
  public static final long DEFAULT_MAX_BODY_BYTES = (1 << 20) + (64 << 10);

  private static final Logger log = LoggerFactory.getLogger(OffloadServer.class);

  private final Builder config;
  private final Streams streams = new Streams();
  private final DashboardFeed feed;
  private final Javalin app;
  private boolean started;
  private boolean stopped;

  private OffloadServer(Builder b) {
    this.config = b;
    this.feed = new DashboardFeed(b.offload, b.feedInterval, b.heartbeat, streams);
    this.app = Javalin.create(this::configure);
  }

  /** Configures a server over {@code offload}. */
  public static Builder builder(Offload offload) {
    return new Builder(offload);
  }

  private void configure(JavalinConfig c) {
    c.startup.showJavalinBanner = false;
    c.startup.showOldJavalinVersionWarning = false;
    // Event streams block their request's thread; virtual threads make that cheap.
    c.concurrency.useVirtualThreads = true;
    c.http.maxRequestSize = config.maxBodyBytes;
    c.http.prefer405over404 = true;
    // Event streams must not sit in a compression buffer, and the documents are small.
    c.http.compressionStrategy = CompressionStrategy.NONE;
    c.router.ignoreTrailingSlashes = true;
    c.jetty.host = config.bind;
    c.jetty.port = config.port;
    new Routes(
            config.offload,
            new Security(config.token, config.mounted),
            config.metrics,
            feed,
            streams,
            config.maxBodyBytes,
            config.requestBudget,
            config.heartbeat)
        .addTo(c.routes);
    JettyErrors jettyErrors = new JettyErrors();
    c.jetty.modifyServer(server -> server.setErrorHandler(jettyErrors));
    c.jetty.modifyServletContextHandler(context -> context.setErrorHandler(jettyErrors));
    c.routes.exception(
        ApiException.class, (e, ctx) -> Http.problem(ctx, e.status(), e.getMessage(), e.field()));
    c.routes.exception(
        InvalidJobException.class,
        (e, ctx) -> Http.problem(ctx, e.tooLarge() ? 413 : 422, e.getMessage(), e.field()));
    c.routes.exception(
        UnknownKindException.class, (e, ctx) -> Http.problem(ctx, 422, e.getMessage(), "kind"));
    c.routes.exception(
        NoSuchJobException.class, (e, ctx) -> Http.problem(ctx, 404, e.getMessage(), null));
    c.routes.exception(
        HttpResponseException.class,
        (e, ctx) -> Http.problem(ctx, e.getStatus(), e.getMessage(), null));
    // The message of a store failure names the database (URL, user, schema) and may quote SQL:
    // it goes to the log only.
    c.routes.exception(
        OffloadException.class,
        (e, ctx) -> Http.failure(ctx, 503, "the store failed to answer", e));
    c.routes.exception(
        Exception.class,
        (e, ctx) -> Http.failure(ctx, 500, "the server failed to answer this request", e));
  }

  /**
   * Starts listening.
   *
   * @throws IllegalStateException if the address cannot be listened on (the port is taken), or the
   *     server was stopped already
   */
  public synchronized OffloadServer start() {
    if (stopped) {
      throw new IllegalStateException("this server was stopped; build a new one");
    }
    if (!started && config.mounted) {
      // The container listens; only the dashboard feed runs here.
      feed.start();
      started = true;
      return this;
    }
    if (!started) {
      try {
        app.start();
      } catch (RuntimeException e) {
        app.stop();
        for (Throwable t = e; t != null; t = t.getCause()) {
          if (t instanceof BindException) {
            throw new IllegalStateException(
                "cannot listen on "
                    + config.bind
                    + ":"
                    + config.port
                    + ": "
                    + t.getMessage()
                    + " (is another server using the port?)",
                e);
          }
        }
        throw e;
      }
      feed.start();
      started = true;
      log.info("Offload server listening on {}", url());
    }
    return this;
  }

  /**
   * Every HTTP route as {@code "METHOD /path"} (filters aside), for the test that holds the OpenAPI
   * document to the routes.
   */
  java.util.List<String> routes() {
    return app.unsafe.internalRouter.allHttpHandlers().stream()
        .map(h -> h.endpoint)
        .filter(e -> e.method.isHttpMethod())
        .map(e -> e.method.name() + " " + e.path)
        .toList();
  }

  /**
   * The API, event streams and dashboard as a Jakarta servlet, for a server built with {@link
   * Builder#mounted}: register it under a path mapping such as {@code /offload/*} with async
   * support (the event streams need it), and it answers below that path ({@code /offload/api/jobs},
   * the dashboard at {@code /offload/}). Requests for the bare path are redirected to it with a
   * slash, so the dashboard's relative links resolve. {@link #start()} starts the dashboard feed
   * and {@link #stop()} ends the open event streams; the container does the listening.
   *
   * @throws IllegalStateException if the server was not built with {@link Builder#mounted}
   */
  public jakarta.servlet.Servlet servlet() {
    if (!config.mounted) {
      throw new IllegalStateException(
          "servlet() is for a server built with mounted(true); this one listens by itself");
    }
    // Javalin's own servlet, not app.javalinServlet(): that one is Jetty's WebSocket servlet, which
    // needs Jetty's context; the API has no WebSocket route and runs in any Jakarta container.
    return new MountedServlet(new io.javalin.http.servlet.JavalinServlet(app.unsafe));
  }

  /** Ends open event streams, then stops listening. The Offload stays open. Idempotent. */
  public synchronized void stop() {
    if (started && !stopped) {
      streams.stopAll(Duration.ofSeconds(2));
      feed.close();
      if (!config.mounted) {
        app.stop();
      }
    }
    stopped = true;
  }

  @Override
  public void close() {
    stop();
  }

  /** The port listened on (the free port picked when built with port 0). */
  public int port() {
    if (config.mounted) {
      throw new IllegalStateException("a mounted server has no port of its own");
    }
    if (!started) {
      throw new IllegalStateException("the server is not started");
    }
    return app.port();
  }

  /** {@code http://host:port}, the dashboard's address. */
  public String url() {
    String host = config.bind.contains(":") ? "[" + config.bind + "]" : config.bind;
    return "http://" + host + ":" + port();
  }

  /** Configures an {@link OffloadServer}; {@link #build()} checks the combination. */
  public static final class Builder {
    private final Offload offload;
    private String bind = "127.0.0.1";
    private int port = 8080;
    private String token;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private Duration requestBudget = Duration.ofSeconds(10);
    private OffloadMetrics metrics;
    private Duration heartbeat = Duration.ofSeconds(15);
    private Duration feedInterval = Duration.ofSeconds(1);
    private boolean mounted;

    private Builder(Offload offload) {
      this.offload = Objects.requireNonNull(offload, "offload");
    }

    /**
     * The address to listen on; default {@code 127.0.0.1}. Any other than loopback needs a token.
     */
    public Builder bind(String bind) {
      this.bind = Objects.requireNonNull(bind, "bind");
      return this;
    }

    /** The port; default 8080, 0 for a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The bearer token every {@code /api} request must carry; null (default) for none. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /**
     * Whether the server is mounted in another servlet container through {@link #servlet()} (the
     * Spring Boot starter does this) instead of listening itself; default false. A mounted server
     * leaves access to the container: it has no token, no Host guard and no origin check, so the
     * application's own security rules (Spring Security) decide who reaches it.
     */
    public Builder mounted(boolean mounted) {
      this.mounted = mounted;
      return this;
    }

    /** The largest request body accepted; larger ones get 413. */
    public Builder maxBodyBytes(long maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** The budget {@code GET /api/kinds} compares run times against; default 10 s. */
    public Builder requestBudget(Duration requestBudget) {
      this.requestBudget = requestBudget;
      return this;
    }

    /** The metrics served at {@code /metrics}, registered as a listener on the Offload. */
    public Builder metrics(OffloadMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * How long an event stream may stay silent before a {@code : keep-alive} comment; default 15 s.
     */
    Builder heartbeat(Duration heartbeat) {
      this.heartbeat = heartbeat;
      return this;
    }

    /** How often the dashboard feed reads queues and jobs; default 1 s. */
    Builder feedInterval(Duration feedInterval) {
      this.feedInterval = feedInterval;
      return this;
    }

    /**
     * Checks the options and builds the server (not started).
     *
     * @throws IllegalStateException naming the option that is wrong, e.g. a non-loopback bind
     *     address without a token
     */
    public OffloadServer build() {
      if (port < 0 || port > 65_535) {
        throw new IllegalStateException("port must be between 0 and 65535, got " + port);
      }
      if (token != null && token.isBlank()) {
        throw new IllegalStateException(
            "token must not be blank; leave it out to serve without one on 127.0.0.1");
      }
      if (token != null && (token.chars().anyMatch(ch -> ch <= ' ' || ch > '~'))) {
        throw new IllegalStateException(
            "token must be printable ASCII without spaces (it travels in an HTTP header)");
      }
      if (mounted && token != null) {
        throw new IllegalStateException(
            "a mounted server takes no token: the application's security decides who gets in");
      }
      if (token == null && !mounted && !isLoopback(bind)) {
        throw new IllegalStateException(
            "refusing to listen on "
                + bind
                + " without a token: anyone who can reach it"
                + " could enqueue, cancel and delete jobs. Give a token (--token or OFFLOAD_TOKEN), or bind to 127.0.0.1");
      }
      if (maxBodyBytes < 1024) {
        throw new IllegalStateException("maxBodyBytes must be at least 1024, got " + maxBodyBytes);
      }
      if (requestBudget == null || requestBudget.isNegative() || requestBudget.isZero()) {
        throw new IllegalStateException("requestBudget must be positive, got " + requestBudget);
      }
      if (heartbeat.isNegative()
          || heartbeat.isZero()
          || feedInterval.isNegative()
          || feedInterval.isZero()) {
        throw new IllegalStateException("heartbeat and feedInterval must be positive");
      }
      if (metrics == null) {
        metrics = OffloadMetrics.create();
      }
      return new OffloadServer(this);
    }

    private static boolean isLoopback(String address) {
      try {
        for (InetAddress a : InetAddress.getAllByName(address)) {
          if (!a.isLoopbackAddress()) {
            return false;
          }
        }
        return true;
      } catch (UnknownHostException e) {
        throw new IllegalStateException(
            "cannot resolve bind address '" + address + "': " + e.getMessage(), e);
      }
    }
  }
}
