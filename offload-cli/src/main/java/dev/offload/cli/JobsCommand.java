package dev.offload.cli;

import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code offload jobs}: a page of jobs, newest first, filtered by state, queue and kind. */
@Command(name = "jobs", description = "List jobs, newest first.")
final class JobsCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Mixin JobListOptions list;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      converter = Converters.StateConverter.class,
      description =
          "Only jobs in this state: scheduled, available, running, retrying, succeeded, dead, cancelled.")
  JobState state;

  @Option(names = "--json", description = "Print the page as the JSON document of GET /api/jobs.")
  boolean json;

  @Option(
      names = "--fields",
      paramLabel = "LIST",
      description =
          "The large fields the jobs carry, as GET /api/jobs?fields= does: args,result"
              + " (default: neither, so a page costs the same whatever the jobs hold).")
  String fields;

  @Override
  public Integer call() {
    Context ctx = store.ctx();
    JobQuery query;
    try {
      query =
          JobQuery.all()
              .limit(list.limit)
              .cursor(list.cursor)
              .state(state)
              .queue(list.queue)
              .kind(list.kind)
              .fields(fields == null ? Set.of() : JobQuery.Field.parseList(fields));
    } catch (IllegalArgumentException e) {
      throw CliError.usage(e.getMessage());
    }
    try (Offload offload = store.openExisting(ctx)) {
      JobText.printPage(offload.jobs(query), json, "no jobs", ctx);
    }
    return 0;
  }
}
