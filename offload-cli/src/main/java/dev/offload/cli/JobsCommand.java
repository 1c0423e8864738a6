package dev.offload.cli;

import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code offload jobs}: a page of jobs, newest first, filtered by state, queue and kind. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
final class JobsCommand implements Callable<Integer> {
  @ParentCommand OffloadCommand parent;

  @Mixin StoreOption store;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      converter = Converters.StateConverter.class,
      description =
          "Only jobs in this state: scheduled, available, running, retrying, succeeded, dead, cancelled.")
  JobState state;

  @Option(names = "--queue", paramLabel = "QUEUE", description = "Only jobs of this queue.")
  String queue;

  @Option(names = "--kind", paramLabel = "KIND", description = "Only jobs of this kind.")
  String kind;

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
    Context ctx = parent.ctx;
    JobQuery query;
    try {
      query =
          JobQuery.all()
              .limit(limit)
              .cursor(cursor)
              .state(state)
              .queue(queue)
              .kind(kind)
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
