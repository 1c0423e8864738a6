package dev.offload.cli;

import dev.offload.Job.JobId;
import dev.offload.Offload;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** A command that acts on one job by its id: {@code retry}, {@code cancel}, {@code delete}. */
abstract class JobAction implements Callable<Integer> {
  @Mixin StoreOption store;

  @Parameters(paramLabel = "ID", description = "The job's id.")
  String id;

  /** Does the action and prints what happened. */
  abstract void act(Offload offload, JobId id, Context ctx);

  @Override
  public final Integer call() {
    Context ctx = store.ctx();
    JobId jobId = JobIds.parse(id);
    try (Offload offload = store.openExisting(ctx)) {
      act(offload, jobId, ctx);
    }
    return 0;
  }
}
