package dev.offload.cli;

import dev.offload.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code offload demo}: the command line of the showcase that {@code offload-demo} runs ({@link
 * Demo}). This command owns what every command owns: parsing and checking the options, opening the
 * store, how Ctrl-C is learned of, the log level, exit codes; the demo owns everything it shows.
 *
 * <p>Options and defaults: {@code --store sqlite:offload-demo.db} (the demo's own file, never the
 * user's {@code offload.db}; {@code $OFFLOAD_STORE} is ignored on purpose), {@code --orders 50000},
 * {@code --port 8080} (a free port when 8080 is taken; 0 for a free one), {@code --keep-serving}
 * off. The app's orders go to {@code offload-demo-orders.db} and the report to {@code
 * offload-demo-report-2024.csv}, both next to a SQLite store (in the working directory for
 * PostgreSQL).
 */
@Command(
    name = "demo",
    description = {
      "Show what Offload is for: an order sync from a slow, rate-limited, flaky upstream API (simulated here),"
          + " a monthly report, a reconciliation and 1,000 emails run in the background, with live progress,"
          + " retries, failed items and a dashboard.",
      "Ctrl-C stops gracefully; running it again resumes the jobs from their checkpoints."
    },
    footer = {
      "",
      "The demo keeps its jobs in its own store, sqlite:offload-demo.db by default, so it never mixes with"
          + " your offload.db ($OFFLOAD_STORE is ignored here). The orders it imports go to offload-demo-orders.db"
          + " and the report to offload-demo-report-2024.csv, next to the store's file."
    })
final class DemoCommand implements Callable<Integer> {
  @ParentCommand OffloadCommand parent;

  @Spec CommandSpec spec;

  @Option(
      names = "--store",
      paramLabel = "URL",
      defaultValue = Demo.DEFAULT_STORE,
      converter = StoreUrl.Converter.class,
      description =
          "sqlite:PATH or a PostgreSQL URL (default ${DEFAULT-VALUE}: the demo's own store, not offload.db).")
  StoreUrl store;

  @Option(
      names = "--orders",
      paramLabel = "N",
      defaultValue = "50000",
      description = "Orders the simulated upstream has, 1 to 500000 (default ${DEFAULT-VALUE}).")
  int orders;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description =
          "Dashboard port (default 8080, or a free one when 8080 is taken; 0 picks a free one).")
  Integer port;

  @Option(
      names = "--push",
      description =
          "Show push delivery instead: an order sync (--orders, default 40000: about 20 s of work)"
              + " delivered to a simulated serverless function that cuts every call off after 5 s,"
              + " run to the end through continuations.")
  boolean push;

  @Option(
      names = "--keep-serving",
      description = "Keep the dashboard and the workers up after the jobs end, until Ctrl-C.")
  boolean keepServing;

  @Override
  public Integer call() throws InterruptedException {
    Context ctx = parent.ctx;
    Path dir =
        store.sqlitePath() != null
            ? store.sqlitePath().toAbsolutePath().getParent()
            : Path.of("").toAbsolutePath();
    Demo.Options options;
    try {
      // The demo shows the store and repeats it in the commands it prints: never with its password.
      boolean ordersGiven = spec.commandLine().getParseResult().hasMatchedOption("--orders");
      options =
          new Demo.Options(
              store.display(),
              dir,
              push && !ordersGiven ? Demo.PUSH_ORDERS : orders,
              ordersGiven,
              port,
              keepServing,
              ProgressBars.isTty());
    } catch (IllegalArgumentException e) {
      throw CliError.usage(e.getMessage(), e);
    }
    quietLogs();
    StoreOption storeOption = new StoreOption();
    storeOption.url = store;
    Demo demo = new Demo(options, ctx.out, ctx.err);
    Demo.Ending ending =
        push
            ? demo.runPush(
                configure -> storeOption.build(ctx, configure), ctx.stopTrigger::awaitStop)
            : demo.run(configure -> storeOption.build(ctx, configure), ctx.stopTrigger::awaitStop);
    if (ending == Demo.Ending.FAILED) {
      throw CliError.failure("the demo's jobs did not all succeed (see 'look' above)", null);
    }
    return 0;
  }

  /**
   * The demo draws its own output; the library's info lines (node started, leader elected) would
   * tear it.
   */
  private static void quietLogs() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }
}
