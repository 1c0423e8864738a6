package dev.offload.cli;

import dev.offload.Job.JobId;
import dev.offload.Offload;
import picocli.CommandLine.Command;

/** {@code offload delete ID}: remove a job that is not running. */
@Command(
    name = "delete",
    description = "Delete a job that is not running (cancel a running one first).")
final class DeleteCommand extends JobAction {
  @Override
  void act(Offload offload, JobId id, Context ctx) {
    offload.delete(id);
    ctx.out.println("job " + id + " deleted");
  }
}
