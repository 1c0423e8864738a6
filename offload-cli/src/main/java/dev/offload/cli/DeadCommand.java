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

/** {@code offload dead}: the dead-letter queue, filtered; replay or purge what matches. */
@Command(
    name = "dead",
    description = {
      "List dead jobs, newest first, filtered by kind, queue, error class and age;",
      "--replay runs every matching one again (fresh attempts, history and checkpoint kept), --purge deletes them."
    })
final class DeadCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Mixin JobListOptions list;

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
    Context ctx = store.ctx();
    if (replay && purge) {
      throw CliError.usage("give --replay or --purge, not both");
    }
    JobFilter filter;
    JobQuery query;
    try {
      filter = JobFilter.dead().kind(list.kind).queue(list.queue).errorClass(errorClass);
      if (since != null) {
        Duration age = Durations.parse(since);
        filter = filter.finishedAfter(Instant.now().minus(age));
      }
      query = new JobQuery(filter, list.limit, list.cursor);
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
