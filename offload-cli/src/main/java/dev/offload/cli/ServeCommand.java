package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.server.OffloadMetrics;
import dev.offload.server.OffloadServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code offload serve}: the HTTP API, the dashboard, {@code /metrics} and {@code /health}, and
 * (unless {@code --no-workers}) workers for the built-in and plugin kinds, in one process, until
 * SIGTERM or Ctrl-C. Then it stops gracefully: event streams end, the listener closes, running jobs
 * get the grace period and the rest are released for other workers.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the HTTP API and the dashboard, and run workers, until SIGTERM or Ctrl-C.",
      "With --no-workers only the API and the dashboard run, for a store that 'offload worker' processes serve."
    })
final class ServeCommand implements Callable<Integer> {
  @ParentCommand
  OffloadCommand parent;

  @Mixin
  StoreOption store;

  @Mixin
  PluginsOption plugins;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address to listen on (default ${DEFAULT-VALUE}). Any other than loopback needs --token.")
  String bind;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:OFFLOAD_TOKEN}", showDefaultValue = Visibility.NEVER,
      description = "Bearer token every /api request and the dashboard's actions need. Default: $OFFLOAD_TOKEN.")
  String token;

  @Option(names = "--no-workers", description = "Serve only the API and the dashboard; run no jobs here.")
  boolean noWorkers;

  @Option(
      names = "--queues",
      split = ",",
      paramLabel = "NAME=N",
      description = "Queues to work, each with how many of its jobs run at once on this node."
          + " Default: default=10; queues of registered kinds are added with 10.")
  Map<String, Integer> queues = new LinkedHashMap<>();

  @Option(
      names = "--shutdown-grace",
      paramLabel = "DUR",
      defaultValue = "10s",
      converter = Converters.DurationConverter.class,
      description = "How long running jobs may finish after a stop before they are released (default ${DEFAULT-VALUE}).")
  Duration shutdownGrace;

  @Override
  public Integer call() throws InterruptedException {
    Context ctx = parent.ctx;
    String tokenValue = token == null || token.isEmpty() ? null : token;
    try (Plugins loaded = plugins.load()) {
      OffloadMetrics metrics = OffloadMetrics.create();
      Offload offload = store.build(ctx, b -> {
        loaded.configure(b);
        queues.forEach(b::queue); // after the plugins, so the command line has the last word
        b.shutdownGrace(shutdownGrace);
        b.listener(metrics);
      });
      OffloadServer server;
      try {
        try {
          server = OffloadServer.builder(offload).bind(bind).port(port).token(tokenValue).metrics(metrics).build();
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
        offload.close();
        throw e;
      }
      ctx.out.println("serving the API and the dashboard on " + server.url() + "/ from " + ctx.store()
          + (tokenValue != null ? " (token required)" : "")
          + (noWorkers ? ", no workers" : ", worker " + offload.node() + " on queues " + describeQueues())
          + " (SIGTERM or Ctrl-C stops it)");
      ctx.out.flush();
      try {
        ctx.stopTrigger.awaitStop(() -> {
          server.stop();
          offload.close();
        });
      } catch (InterruptedException e) {
        server.stop();
        offload.close();
        throw e;
      }
    }
    return 0;
  }

  private String describeQueues() {
    if (queues.isEmpty()) {
      return "default=10";
    }
    StringJoiner j = new StringJoiner(", ");
    queues.forEach((name, n) -> j.add(name + "=" + n));
    return j.toString();
  }
}
