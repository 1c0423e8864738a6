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

  @Option(
      names = "--public-url",
      paramLabel = "URL",
      defaultValue = "${env:OFFLOAD_PUBLIC_URL}",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      description =
          "The base URL push endpoints reach this deployment's API at (each push then carries a"
              + " progressUrl under it). Default: $OFFLOAD_PUBLIC_URL; for serve, its own listening URL.")
  String publicUrl;

  /**
   * The {@code --public-url} (or {@code $OFFLOAD_PUBLIC_URL}), or null when neither is given.
   *
   * @throws CliError a usage error naming the option when it is not an absolute http(s) URL
   */
  java.net.URI publicUrl() {
    if (publicUrl == null || publicUrl.isBlank()) {
      return null;
    }
    String text = publicUrl.trim();
    try {
      java.net.URI uri = new java.net.URI(text);
      // The builder's own check, so the message is the one the API gives.
      Offload.builder().publicUrl(uri);
      return uri;
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw CliError.usage(
          "--public-url (or OFFLOAD_PUBLIC_URL) must be an absolute http(s) URL such as"
              + " https://offload.example.com/, got '"
              + text
              + "'",
          e);
    }
  }

  /** Registers the plugins' kinds, then the queues (so the command line has the last word). */
  void configure(Plugins loaded, Offload.Builder builder) {
    loaded.configure(builder);
    queues.forEach(builder::queue);
    builder.shutdownGrace(shutdownGrace);
    builder.publicUrl(publicUrl());
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
