package dev.offload.cli;

import dev.offload.Job.JobId;
import dev.offload.Offload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code offload retry ID [--failed-items]}: run a dead, cancelled or waiting job again. */
@Command(
    name = "retry",
    description = {
      "Run a job again: a dead or cancelled job with fresh attempts (its errors and checkpoint kept),",
      "a retrying or scheduled job now. With --failed-items, enqueue a follow-up job for just the items it recorded as failed."
    })
final class RetryCommand extends JobAction {
  @Option(
      names = "--failed-items",
      description =
          "Enqueue a follow-up job of the same kind for the job's failed items; prints its id.")
  boolean failedItems;

  @Override
  void act(Offload offload, JobId id, Context ctx) {
    if (failedItems) {
      ctx.out.println(offload.retryFailedItems(id));
    } else {
      offload.retry(id);
      ctx.out.println("job " + id + " will run again");
    }
  }
}
