package dev.offload.cli;

import dev.offload.Job.JobFilter;
import dev.offload.Job.JobQuery;
import dev.offload.Offload;
import dev.offload.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code offload dead}: the dead-letter queue, filtered; replay or purge what matches. */
@Command(
    name = "dead",
    mixinStandardHelpOptions = true,
    description = {
      "List dead jobs, newest first, filtered by kind, queue, error class and age;",
      "--replay runs every matching one again (fresh attempts, history and checkpoint kept), --purge deletes them."
    })
final class DeadCommand implements Callable<Integer> {
  @ParentCommand OffloadCommand parent;

  @Mixin StoreOption store;

  @Option(names = "--kind", paramLabel = "KIND", description = "Only jobs of this kind.")
  String kind;

  @Option(names = "--queue", paramLabel = "QUEUE", description = "Only jobs of this queue.")
  String queue;

  @Option(
      names = "--error-class",
      paramLabel = "CLASS",
      description =
          "Only jobs whose last error is of this class (e.g. java.net.SocketTimeoutException).")
  String errorClass;

  @Option(
      names = "--since",
      paramLabel = "DUR",
      description = "Only jobs that died within this long (e.g. 2h, 1d).")
  String since;

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

  @Option(names = "--replay", description = "Run every matching dead job again.")
  boolean replay;

  @Option(names = "--purge", description = "Delete every matching dead job.")
  boolean purge;

  @Option(
      names = "--json",
      description =
          "Print JSON: the page as GET /api/jobs?state=dead, or {\"replayed\": n} / {\"purged\": n}.")
  boolean json;

  @Override
  public Integer call() {
    Context ctx = parent.ctx;
    if (replay && purge) {
      throw CliError.usage("give --replay or --purge, not both");
    }
    JobFilter filter;
    JobQuery query;
    try {
      filter = JobFilter.dead().kind(kind).queue(queue).errorClass(errorClass);
      if (since != null) {
        Duration age = Durations.parse(since);
        filter = filter.finishedAfter(Instant.now().minus(age));
      }
      query = new JobQuery(filter, limit, cursor);
    } catch (IllegalArgumentException e) {
      throw CliError.usage(e.getMessage());
    }
    try (Offload offload = store.openExisting(ctx)) {
      if (replay || purge) {
        int n = replay ? offload.replay(filter) : offload.purge(filter);
        String verb = replay ? "replayed" : "purged";
        ctx.out.println(
            json
                ? Json.write(Map.of(verb, n))
                : verb + " " + n + " dead job" + (n == 1 ? "" : "s"));
        return 0;
      }
      JobText.printPage(offload.jobs(query), json, "no dead jobs", /* lastError= */ true, ctx);
    }
    return 0;
  }
}
