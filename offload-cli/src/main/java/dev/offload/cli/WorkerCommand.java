package dev.offload.cli;

import dev.offload.Offload;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code offload worker}: runs jobs of the built-in and plugin kinds until SIGTERM or Ctrl-C, then
 * stops gracefully: no more claims, running jobs get the grace period, the rest are released for
 * other workers.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Run jobs until SIGTERM or Ctrl-C, then stop gracefully.")
final class WorkerCommand implements Callable<Integer> {
  @ParentCommand
  OffloadCommand parent;

  @Mixin
  StoreOption store;

  @Mixin
  WorkerOptions worker;

  @Override
  public Integer call() throws InterruptedException {
    Context ctx = parent.ctx;
    try (Plugins loaded = worker.plugins.load()) {
      Offload offload = store.build(ctx, b -> worker.configure(loaded, b));
      try {
        offload.start();
      } catch (RuntimeException e) {
        Errors.closeAfter(e, offload);
        throw e;
      }
      ctx.out.println("worker " + offload.node() + " started on " + ctx.store() + ", queues " + worker.describeQueues()
          + " (SIGTERM or Ctrl-C stops it)");
      ctx.out.flush();
      try {
        ctx.stopTrigger.awaitStop(offload::close);
      } catch (InterruptedException e) {
        offload.close();
        throw e;
      }
    }
    return 0;
  }
}
