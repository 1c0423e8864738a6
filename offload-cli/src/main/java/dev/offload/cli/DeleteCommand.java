package dev.offload.cli;

import dev.offload.JobId;
import dev.offload.Offload;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code offload delete ID}: remove a job that is not running. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a job that is not running (cancel a running one first).")
final class DeleteCommand implements Callable<Integer> {
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
      offload.delete(jobId);
      ctx.out.println("job " + jobId + " deleted");
    }
    return 0;
  }
}
