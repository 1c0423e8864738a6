package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.server.OffloadMetrics;
import dev.offload.server.OffloadServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code offload serve}: the HTTP API, the dashboard, {@code /metrics} and {@code /health}, and
 * (unless {@code --no-workers}) workers for the built-in and plugin kinds, in one process, until
 * SIGTERM or Ctrl-C. Then it stops gracefully: event streams end, the listener closes, running jobs
 * get the grace period and the rest are released for other workers.
 */
@Command(
    name = "serve",
    description = {
      "Serve the HTTP API and the dashboard, and run workers, until SIGTERM or Ctrl-C.",
      "With --no-workers only the API and the dashboard run, for a store that 'offload worker' processes serve."
    })
final class ServeCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Mixin WorkerOptions worker;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on (default ${DEFAULT-VALUE}). Any other than loopback needs --token.")
  String bind;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:OFFLOAD_TOKEN}",
      showDefaultValue = Visibility.NEVER,
      description =
          "Bearer token every /api request and the dashboard's actions need. Default: $OFFLOAD_TOKEN.")
  String token;

  @Option(
      names = "--no-workers",
      description = "Serve only the API and the dashboard; run no jobs here.")
  boolean noWorkers;

  /**
   * The environment variable with the key that signs progress tokens (never a flag: flags show in
   * {@code ps}).
   */
  static final String PROGRESS_KEY_ENV = "OFFLOAD_PROGRESS_KEY";

  @Override
  public Integer call() throws InterruptedException {
    Context ctx = store.ctx();
    String tokenValue = token == null || token.isEmpty() ? null : token;
    byte[] progressKey = progressKey(System.getenv(PROGRESS_KEY_ENV));
    java.net.URI publicUrl = worker.publicUrl();
    int listenOn = port;
    if (publicUrl == null) {
      // Pushes carry a progressUrl under this server's own URL, which needs its port before the
      // Offload is built: with --port 0, take a free port now and listen on it.
      listenOn = port == 0 ? freePort(bind) : port;
      String host = bind.contains(":") ? "[" + bind + "]" : bind;
      publicUrl = java.net.URI.create("http://" + host + ":" + listenOn + "/");
    }
    java.net.URI pushBase = publicUrl;
    try (Plugins loaded = worker.plugins.load()) {
      OffloadMetrics metrics = OffloadMetrics.create();
      Offload offload =
          store.build(
              ctx,
              b -> {
                worker.configure(loaded, b);
                b.listener(metrics);
                if (progressKey != null) {
                  b.progressKey(progressKey);
                }
                b.publicUrl(pushBase);
              });
      OffloadServer server;
      try {
        try {
          server =
              OffloadServer.builder(offload)
                  .bind(bind)
                  .port(listenOn)
                  .token(tokenValue)
                  .metrics(metrics)
                  .build();
        } catch (IllegalStateException e) {
          throw CliError.usage(e.getMessage(), e);
        }
        if (!noWorkers) {
          offload.start();
        }
        try {
          server.start();
        } catch (IllegalStateException e) {
          throw CliError.failure(e.getMessage(), e);
        }
      } catch (RuntimeException e) {
        Errors.closeAfter(e, offload);
        throw e;
      }
      ctx.out.println(
          "serving the API and the dashboard on "
              + server.url()
              + "/ from "
              + ctx.store()
              + (tokenValue != null ? " (token required)" : "")
              + (progressKey != null ? " (progress tokens accepted)" : "")
              + (noWorkers
                  ? ", no workers"
                  : ", worker " + offload.node() + " on queues " + worker.describeQueues())
              + " (SIGTERM or Ctrl-C stops it)");
      ctx.awaitStop(() -> {
        server.stop();
        offload.close();
      });
    }
    return 0;
  }

  private static int freePort(String bind) {
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(bind))) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw CliError.failure("cannot listen on " + bind + ": " + e.getMessage(), e);
    }
  }

  /**
   * The progress key from {@code $OFFLOAD_PROGRESS_KEY}: base64 (standard or URL-safe) of at least
   * 16 bytes, e.g. {@code openssl rand -base64 32}; null when unset or empty.
   *
   * @throws CliError a usage error when it is not base64 or too short
   */
  static byte[] progressKey(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    byte[] key;
    try {
      String v = value.trim();
      key =
          v.indexOf('-') >= 0 || v.indexOf('_') >= 0
              ? java.util.Base64.getUrlDecoder().decode(v)
              : java.util.Base64.getDecoder().decode(v);
    } catch (IllegalArgumentException e) {
      throw CliError.usage(
          PROGRESS_KEY_ENV
              + " must be base64 (e.g. the output of 'openssl rand -base64 32'): "
              + e.getMessage(),
          e);
    }
    if (key.length < 16) {
      throw CliError.usage(
          PROGRESS_KEY_ENV
              + " must hold at least 16 bytes (32 recommended: openssl rand -base64 32),"
              + " got "
              + key.length,
          null);
    }
    return key;
  }
}
