package dev.offload.cli;

import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.Offload;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code offload cancel ID}: a pending job at once, a running one on whatever node runs it. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Cancel a job: a pending one at once; a running one is interrupted on its node and ends cancelled, never retried.")
final class CancelCommand implements Callable<Integer> {
  @ParentCommand
  OffloadCommand parent;

  @Mixin
  StoreOption store;

  @Parameters(paramLabel = "ID", description = "The job's id.")
  String id;

  @Override
  public Integer call() {
    Context ctx = parent.ctx;
    JobId jobId = JobIds.parse(id);
    try (Offload offload = store.build(ctx, b -> {})) {
      JobState after = offload.cancel(jobId);
      ctx.out.println(after == JobState.RUNNING
          ? "job " + jobId + " is running; its node was asked to stop it"
          : "job " + jobId + " is cancelled");
    }
    return 0;
  }
}
