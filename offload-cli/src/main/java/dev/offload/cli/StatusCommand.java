package dev.offload.cli;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.internal.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offload status ID}: one job, for people or (with {@code --json}) as the API's document.
 */
@Command(name = "status", description = "Show one job.")
final class StatusCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Parameters(paramLabel = "ID", description = "The job's id, as enqueue printed it.")
  String id;

  @Option(
      names = "--json",
      description = "Print the job as the JSON document of GET /api/jobs/{id}.")
  boolean json;

  @Option(
      names = "--follow",
      description = {
        "Draw a live progress bar (percent, stage, message, ETA, elapsed) until the job ends;",
        "plain lines when not on a terminal. Exits 0 when it succeeded, 1 when it is dead or cancelled."
      })
  boolean follow;

  @Override
  public Integer call() {
    Context ctx = store.ctx();
    JobId jobId = JobIds.parse(id);
    try (Offload offload = store.openExisting(ctx)) {
      Job job =
          offload
              .job(jobId)
              .orElseThrow(() -> CliError.failure("no job " + jobId + " in " + ctx.store(), null));
      if (follow) {
        return follow(offload, job, ctx);
      }
      ctx.out.print(json ? Json.write(job) + "\n" : JobText.describe(job));
    }
    return 0;
  }

  /**
   * Redraws the job's line on every change (and each second, for the elapsed time) until it ends.
   */
  private int follow(Offload offload, Job first, Context ctx) {
    ProgressBars bars =
        new ProgressBars(
            ctx.out, ProgressBars.isTty() && ctx.out == System.out, ProgressBars.terminalWidth());
    java.util.concurrent.LinkedBlockingQueue<Job> updates =
        new java.util.concurrent.LinkedBlockingQueue<>();
    String label = "#" + first.id() + " " + first.kind();
    Job last = first;
    try (AutoCloseable watch = offload.watch(first.id(), updates::add)) {
      bars.update(label, last, java.time.Instant.now());
      while (!last.state().isFinal()) {
        Job next = updates.poll(1, java.util.concurrent.TimeUnit.SECONDS);
        if (next != null) {
          last = next;
        }
        bars.update(label, last, java.time.Instant.now());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CliError.FAILURE;
    } catch (Exception e) {
      throw CliError.failure("following job " + first.id() + " failed: " + e.getMessage(), e);
    }
    if (last.state() != dev.offload.Job.JobState.SUCCEEDED && !last.errors().isEmpty()) {
      var error = last.errors().get(last.errors().size() - 1);
      ctx.out.println("last error: " + error.errorClass() + ": " + error.message());
    }
    if (last.failedItems() != null && last.failedItems().count() > 0) {
      ctx.out.println(
          last.failedItems().count()
              + " items failed; retry them with: offload retry "
              + last.id()
              + " --failed-items");
    }
    return last.state() == dev.offload.Job.JobState.SUCCEEDED ? 0 : CliError.FAILURE;
  }
}
