package dev.offload.cli;

import dev.offload.Job;
import dev.offload.Offload;
import dev.offload.server.OffloadMetrics;
import dev.offload.server.OffloadServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code offload demo}: what Offload is for, in a minute, on the embedded SQLite default. A web
 * app's slow, flaky, long work (an order sync from a rate-limited upstream, a monthly report, a
 * reconciliation, a burst of emails) runs in the background of this process while the terminal
 * shows its progress and the dashboard serves it.
 *
 * <p>Pieces: {@link DemoUpstream} (the simulated upstream API), {@link DemoKinds} (the job kinds
 * and queues), {@link DemoOrders} (the app's own database), {@link DemoRun} (resume or start,
 * follow, events), {@link DemoScreen} (the terminal) and {@link DemoSummary} (the last lines).
 *
 * <p>Options and defaults: {@code --store sqlite:offload-demo.db} (the demo's own file, never the
 * user's {@code offload.db}; {@code $OFFLOAD_STORE} is ignored on purpose), {@code --orders 50000},
 * {@code --port 8080} (a free port when 8080 is taken; 0 for a free one), {@code --keep-serving}
 * off. The app's orders go to {@code offload-demo-orders.db} and the report to {@code
 * offload-demo-report-2024.csv}, both next to a SQLite store (in the working directory for
 * PostgreSQL).
 *
 * <p>Stopping: Ctrl-C (or SIGTERM) stops gracefully: the jobs are handed back to the store, where
 * their checkpoints are, and the next {@code offload demo} resumes them.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
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
  static final int MAX_ORDERS = 500_000;
  static final String DEFAULT_STORE = "sqlite:offload-demo.db";
  static final String ORDERS_FILE = "offload-demo-orders.db";
  private static final int DEFAULT_PORT = 8080;

  @ParentCommand
  OffloadCommand parent;

  @Spec
  CommandSpec spec;

  @Option(names = "--store", paramLabel = "URL", defaultValue = DEFAULT_STORE, converter = StoreUrl.Converter.class,
      description = "sqlite:PATH or a PostgreSQL URL (default ${DEFAULT-VALUE}: the demo's own store, not offload.db).")
  StoreUrl store;

  @Option(names = "--orders", paramLabel = "N", defaultValue = "50000",
      description = "Orders the simulated upstream has, 1 to 500000 (default ${DEFAULT-VALUE}).")
  int orders;

  @Option(names = "--port", paramLabel = "PORT",
      description = "Dashboard port (default 8080, or a free one when 8080 is taken; 0 picks a free one).")
  Integer port;

  @Option(names = "--keep-serving", description = "Keep the dashboard and the workers up after the jobs end, until Ctrl-C.")
  boolean keepServing;

  @Override
  public Integer call() throws InterruptedException {
    Context ctx = parent.ctx;
    if (orders < 1 || orders > MAX_ORDERS) {
      throw CliError.usage("--orders must be between 1 and " + MAX_ORDERS + ", got " + orders);
    }
    if (port != null && (port < 0 || port > 65_535)) {
      throw CliError.usage("--port must be between 0 and 65535, got " + port);
    }
    quietLogs();
    Path dir = store.sqlitePath() != null
        ? store.sqlitePath().toAbsolutePath().getParent()
        : Path.of("").toAbsolutePath();
    Stop stop = new Stop();
    DemoOrders app = DemoOrders.open(dir.resolve(ORDERS_FILE));
    try {
      return run(ctx, app, dir, stop);
    } finally {
      app.close();
      stop.finished();
    }
  }

  private int run(Context ctx, DemoOrders app, Path dir, Stop stop) throws InterruptedException {
    DemoKinds kinds = new DemoKinds(app, dir);
    OffloadMetrics metrics = OffloadMetrics.create();
    StoreOption storeOption = new StoreOption();
    storeOption.url = store;
    Offload offload = storeOption.build(ctx, b -> {
      kinds.configure(b);
      b.listener(metrics);
      // Snappier than the defaults, for a demo on one machine: a snoozed sync is picked up again within
      // 200 ms, bars move four times a second, Ctrl-C hands jobs back after 1 s, a crashed run's jobs
      // are rescued within about 12 s.
      b.pollInterval(Duration.ofMillis(200));
      b.progressInterval(Duration.ofMillis(250));
      b.shutdownGrace(Duration.ofSeconds(1));
      b.leaseDuration(Duration.ofSeconds(10));
      b.rescueInterval(Duration.ofSeconds(2));
    });
    DemoUpstream upstream = null;
    DemoClient client = null;
    OffloadServer server = null;
    DemoRun run = null;
    boolean stopped = false;
    boolean ended = false;
    try {
      DemoRun.Plan plan = DemoRun.plan(offload, app, orders);
      upstream = DemoUpstream.start(DemoUpstream.Config.of(plan.orders()));
      client = new DemoClient(upstream.uri());
      kinds.attach(offload, client);
      stop.listen(ctx.stopTrigger);
      offload.start();
      server = serve(offload, metrics, ctx);
      boolean tty = ProgressBars.isTty();
      DemoScreen screen = new DemoScreen(ctx.out, tty, tty ? DemoScreen.terminalWidth() : ProgressBars.terminalWidth());
      header(screen, plan, upstream, server.url(), app);
      run = new DemoRun(offload, kinds, screen, server.url());
      if (plan.resuming()) {
        run.resume(plan);
        if (plan.orders() != orders && spec.commandLine().getParseResult().hasMatchedOption("--orders")) {
          screen.println(String.format("(--orders %,d does not apply to a resumed run: the upstream has the %,d orders the run began with.)",
              orders, plan.orders()));
        }
      } else {
        if (plan.lastRun() != null) {
          screen.println("The last run (sync job " + plan.lastRun().syncJob() + ") finished, so this one starts anew.");
        }
        run.startFresh(plan.orders());
      }
      screen.println("");
      ended = run.follow(stop);
      stopped = !ended;
      Map<Long, Map<String, Duration>> stages = new HashMap<>();
      List<Job> jobs = run.jobs();
      for (Job j : jobs) {
        stages.put(j.id().value(), run.stages(j.id().value()));
      }
      DemoSummary summary = new DemoSummary(jobs, stages, run.emailTotal(), run.emailsPending(), upstream.counts(),
          store.display(), server.url(), keepServing && !stopped);
      if (!stopped) {
        summary.lines(run.started(), Instant.now()).forEach(screen::println);
        if (keepServing) {
          stop.await(null);
          stopped = true;
        }
      }
      if (!stopped && !summary.succeeded()) {
        throw CliError.failure("the demo's jobs did not all succeed (see 'look' above)", null);
      }
      return 0;
    } finally {
      if (stopped && !ended) {
        ctx.out.println();
        ctx.out.println("Stopping: the jobs go back to the store with their checkpoints...");
        ctx.out.flush();
      }
      if (run != null) {
        run.close();
      }
      if (server != null) {
        server.stop();
      }
      offload.close();
      if (client != null) {
        client.close();
      }
      if (upstream != null) {
        upstream.close();
      }
      if (stopped && ended) {
        ctx.out.println();
        ctx.out.println("Stopped serving.");
        ctx.out.flush();
      } else if (stopped) {
        String again = "bin/offload demo" + (DEFAULT_STORE.equals(store.text()) ? "" : " --store " + DemoSummary.shellQuote(store.display()));
        ctx.out.println("Stopped. Run '" + again + "' again to resume where the jobs stopped.");
        ctx.out.flush();
      }
    }
  }

  private void header(DemoScreen screen, DemoRun.Plan plan, DemoUpstream upstream, String url, DemoOrders app) {
    DemoUpstream.Config c = upstream.config();
    screen.println("Offload demo: slow, flaky, long work moved out of the request path, with progress you can watch.");
    screen.println("  store      " + store.display() + (DEFAULT_STORE.equals(store.text()) ? " (the demo's own; your offload.db is untouched)" : ""));
    screen.println("  app data   " + app.file().toAbsolutePath() + " (the imported orders)");
    screen.println(String.format("  upstream   %s/orders, simulated: %,d orders, 1 in %,d broken;", upstream.uri(), c.orders(),
        c.brokenEvery()));
    screen.println(String.format("             %d requests/s in bursts of %d, then 429; ~%.0f %% HTTP 500; ~%.0f %% slow pages",
        (int) c.pagesPerSecond(), c.burst(), c.errorRate() * 100, c.slowRate() * 100));
    screen.println("  dashboard  " + url + "/");
    screen.println(String.format("  queues     %s: 2 at a time, %s: 2, %s: 8", DemoKinds.SYNC_QUEUE, DemoKinds.REPORTS_QUEUE,
        DemoKinds.EMAIL_QUEUE));
    screen.println("");
  }

  private OffloadServer serve(Offload offload, OffloadMetrics metrics, Context ctx) {
    int wanted = port != null ? port : DEFAULT_PORT;
    try {
      return OffloadServer.builder(offload).port(wanted).metrics(metrics).build().start();
    } catch (IllegalStateException e) {
      if (port != null) {
        throw CliError.failure(e.getMessage(), e);
      }
      ctx.err.println("offload: port " + DEFAULT_PORT + " is taken; serving the dashboard on a free port instead");
      return OffloadServer.builder(offload).port(0).metrics(metrics).build().start();
    }
  }

  /** The demo draws its own output; the library's info lines (node started, leader elected) would tear it. */
  private static void quietLogs() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }

  /**
   * How the demo learns of Ctrl-C: {@link StopTrigger#awaitStop} on a thread of its own, since the
   * demo also ends by itself. The stop action asks the run to stop and waits until it has handed
   * its jobs back (the JVM exits when the action returns).
   */
  static final class Stop {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    void listen(StopTrigger trigger) {
      Thread.ofPlatform().daemon().name("offload-demo-stop").start(() -> {
        try {
          trigger.awaitStop(() -> {
            requested.countDown();
            try {
              finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
          // A context that cannot signal a stop (a test's one-shot run): the demo then ends by itself.
        }
      });
    }

    /** Waits up to {@code timeout} (null: for ever) for a stop request; true once one came. */
    boolean await(Duration timeout) throws InterruptedException {
      if (timeout == null) {
        requested.await();
        return true;
      }
      return requested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void finished() {
      finished.countDown();
    }
  }
}
