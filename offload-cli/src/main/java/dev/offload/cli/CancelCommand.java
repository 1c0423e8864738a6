package dev.offload.cli;

import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import picocli.CommandLine.Command;

/** {@code offload cancel ID}: a pending job at once, a running one on whatever node runs it. */
@Command(
    name = "cancel",
    description =
        "Cancel a job: a pending one at once; a running one is interrupted on its node and ends cancelled, never retried.")
final class CancelCommand extends JobAction {
  @Override
  void act(Offload offload, JobId id, Context ctx) {
    JobState after = offload.cancel(id);
    ctx.out.println(
        after == JobState.RUNNING
            ? "job " + id + " is running; its node was asked to stop it"
            : "job " + id + " is cancelled");
  }
}
