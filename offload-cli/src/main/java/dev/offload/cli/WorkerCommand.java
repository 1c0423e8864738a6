package dev.offload.cli;

import dev.offload.Offload;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code offload worker}: runs jobs of the built-in and plugin kinds until SIGTERM or Ctrl-C, then
 * stops gracefully: no more claims, running jobs get the grace period, the rest are released for
 * other workers.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Run jobs until SIGTERM or Ctrl-C, then stop gracefully.")
final class WorkerCommand implements Callable<Integer> {
  @ParentCommand
  OffloadCommand parent;

  @Mixin
  StoreOption store;

  @Mixin
  PluginsOption plugins;

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
    try (Plugins loaded = plugins.load()) {
      Offload offload = store.build(ctx, b -> {
        loaded.configure(b);
        queues.forEach(b::queue); // after the plugins, so the command line has the last word
        b.shutdownGrace(shutdownGrace);
      });
      try {
        offload.start();
      } catch (RuntimeException e) {
        offload.close();
        throw e;
      }
      ctx.out.println("worker " + offload.node() + " started on " + ctx.store() + ", queues " + describeQueues()
          + " (SIGTERM or Ctrl-C stops it)");
      ctx.out.flush();
      try {
        ctx.stopTrigger.awaitStop(offload::close);
      } catch (InterruptedException e) {
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
