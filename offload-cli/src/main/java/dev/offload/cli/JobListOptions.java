package dev.offload.cli;

import picocli.CommandLine.Option;

/**
 * What the commands that list jobs ({@code jobs}, {@code dead}) take alike: the page ({@code
 * --limit}, {@code --cursor}) and the queue and kind filters.
 */
final class JobListOptions {
  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "20",
      description = "Jobs per page, 1 to 1000 (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--cursor",
      paramLabel = "C",
      description = "Where the page starts: the nextCursor of the previous page.")
  String cursor;

  @Option(names = "--queue", paramLabel = "QUEUE", description = "Only jobs of this queue.")
  String queue;

  @Option(names = "--kind", paramLabel = "KIND", description = "Only jobs of this kind.")
  String kind;
}
