package dev.offload.cli;

import dev.offload.JobId;
import dev.offload.Offload;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code offload retry ID [--failed-items]}: run a dead, cancelled or waiting job again. */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = {"Run a job again: a dead or cancelled job with fresh attempts (its errors and checkpoint kept),",
        "a retrying or scheduled job now. With --failed-items, enqueue a follow-up job for just the items it recorded as failed."})
final class RetryCommand implements Callable<Integer> {
  @ParentCommand
  OffloadCommand parent;

  @Mixin
  StoreOption store;

  @Parameters(paramLabel = "ID", description = "The job's id.")
  String id;

  @Option(names = "--failed-items", description = "Enqueue a follow-up job of the same kind for the job's failed items; prints its id.")
  boolean failedItems;

  @Override
  public Integer call() {
    Context ctx = parent.ctx;
    JobId jobId = JobIds.parse(id);
    try (Offload offload = store.build(ctx, b -> {})) {
      if (failedItems) {
        JobId followUp = offload.retryFailedItems(jobId);
        ctx.out.println(followUp);
      } else {
        offload.retry(jobId);
        ctx.out.println("job " + jobId + " will run again");
      }
    }
    return 0;
  }
}
