package dev.offload.cli;

import dev.offload.Offload;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code offload worker}: runs jobs of the built-in and plugin kinds until SIGTERM or Ctrl-C, then
 * stops gracefully: no more claims, running jobs get the grace period, the rest are released for
 * other workers. While it works it prints a line for each job that fails or dies here, and every 10
 * s ({@code --summary-every}) a count of the attempts that ended ({@link WorkerReport}).
 */
@Command(name = "worker", description = "Run jobs until SIGTERM or Ctrl-C, then stop gracefully.")
final class WorkerCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Mixin WorkerOptions worker;

  @Option(
      names = "--summary-every",
      paramLabel = "DUR",
      defaultValue = "10s",
      converter = Converters.DurationConverter.class,
      description =
          "How often to print how many attempts succeeded, are retrying and died here, when that changed"
              + " (default ${DEFAULT-VALUE}; 0s for never).")
  Duration summaryEvery;

  @Override
  public Integer call() throws InterruptedException {
    Context ctx = store.ctx();
    if (summaryEvery.isNegative()) {
      throw CliError.usage("--summary-every must not be negative, got " + summaryEvery);
    }
    try (Plugins loaded = worker.plugins.load();
        WorkerReport report = new WorkerReport(ctx.out, summaryEvery)) {
      Offload offload =
          store.build(
              ctx,
              b -> {
                worker.configure(loaded, b);
                b.listener(report);
              });
      try {
        offload.start();
      } catch (RuntimeException e) {
        Errors.closeAfter(e, offload);
        throw e;
      }
      ctx.out.println(
          "worker "
              + offload.node()
              + " started on "
              + ctx.store()
              + ", queues "
              + worker.describeQueues()
              + " (SIGTERM or Ctrl-C stops it)");
      ctx.awaitStop(offload::close);
    }
    return 0;
  }
}
