package dev.offload.cli;

import dev.offload.Offload;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What a command that runs jobs takes: plugin jars, queues with their concurrency, shutdown grace.
 */
final class WorkerOptions {
  @Mixin PluginsOption plugins;

  @Option(
      names = "--queues",
      split = ",",
      paramLabel = "NAME=N",
      description =
          "Queues to work, each with how many of its jobs run at once on this node."
              + " Default: default=10; queues of registered kinds are added with 10.")
  Map<String, Integer> queues = new LinkedHashMap<>();

  @Option(
      names = "--shutdown-grace",
      paramLabel = "DUR",
      defaultValue = "10s",
      converter = Converters.DurationConverter.class,
      description =
          "How long running jobs may finish after a stop before they are released (default ${DEFAULT-VALUE}).")
  Duration shutdownGrace;

  /** Registers the plugins' kinds, then the queues (so the command line has the last word). */
  void configure(Plugins loaded, Offload.Builder builder) {
    loaded.configure(builder);
    queues.forEach(builder::queue);
    builder.shutdownGrace(shutdownGrace);
  }

  String describeQueues() {
    if (queues.isEmpty()) {
      return "default=10";
    }
    StringJoiner j = new StringJoiner(", ");
    queues.forEach((name, n) -> j.add(name + "=" + n));
    return j.toString();
  }
}
