package dev.offload.demo;

import dev.offload.Job;
import dev.offload.Offload;
import dev.offload.server.OffloadMetrics;
import dev.offload.server.OffloadServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What {@code offload demo} runs: what Offload is for, in a minute. A web app's slow, flaky, long
 * work (an order sync from a rate-limited upstream, a monthly report, a reconciliation, a burst of
 * emails) runs in the background of this process while the terminal shows its progress and the
 * dashboard serves it.
 *
 * <p>Usage (the CLI's {@code demo} command does this): {@code new Demo(options, out,
 * err).run(offloads, stopSignal)}, where {@code offloads} opens the store and builds an {@link
 * Offload} with the builder settings the demo passes in.
 *
 * <p>Pieces: {@link DemoUpstream} (the simulated upstream API), {@link DemoKinds} (the job kinds
 * and queues), {@link DemoOrders} (the app's own database), {@link DemoRun} (resume or start,
 * follow, events), {@link DemoScreen} (the terminal) and {@link DemoSummary} (the last lines).
 *
 * <p>Stopping: when the stop signal fires (Ctrl-C, SIGTERM) the demo stops gracefully: the jobs are
 * handed back to the store, where their checkpoints are, and the next run resumes them.
 */
public final class Demo {
  /** The most orders the simulated upstream may have. */
  public static final int MAX_ORDERS = 500_000;

  /** The demo's own store, so it never mixes with the user's {@code offload.db}. */
  public static final String DEFAULT_STORE = "sqlite:offload-demo.db";

  /** The dashboard's port unless one is given (a free one when it is taken). */
  public static final int DEFAULT_PORT = 8080;

  /** The app's database of imported orders, in {@link Options#dataDir()}. */
  public static final String ORDERS_FILE = "offload-demo-orders.db";

  /**
   * How to run the demo.
   *
   * @param store the store as the user named it (shown, and repeated in the commands printed)
   * @param dataDir where the app's orders and the report go
   * @param orders orders the simulated upstream has, 1 to {@link #MAX_ORDERS}
   * @param ordersGiven whether the user asked for {@code orders} (a resumed run says it ignores
   *     them)
   * @param port the dashboard's port, 0 for a free one, or null for {@link #DEFAULT_PORT} (or a
   *     free one when that is taken)
   * @param keepServing keep the dashboard and workers up after the jobs end, until stopped
   * @param tty whether {@code out} is a terminal (the progress block is redrawn in place)
   */
  public record Options(
      String store,
      Path dataDir,
      int orders,
      boolean ordersGiven,
      Integer port,
      boolean keepServing,
      boolean tty) {
    public Options {
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(dataDir, "dataDir");
      if (orders < 1 || orders > MAX_ORDERS) {
        throw new IllegalArgumentException(
            "--orders must be between 1 and " + MAX_ORDERS + ", got " + orders);
      }
      if (port != null && (port < 0 || port > 65_535)) {
        throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
      }
    }
  }

  /**
   * How the demo learns of Ctrl-C: blocks until told to stop, runs {@code stop}, returns once it
   * ran.
   */
  @FunctionalInterface
  public interface StopSignal {
    void awaitStop(Runnable stop) throws InterruptedException;
  }

  /** How a run ended. */
  public enum Ending {
    /** Every job succeeded and every email went out. */
    SUCCEEDED,
    /** Some job did not succeed; the summary's "look" lines name it. */
    FAILED,
    /** Stopped before the end; the jobs went back to the store to resume later. */
    STOPPED
  }

  /** The orders of {@code offload demo --push} unless given: about 20 s of work. */
  public static final int PUSH_ORDERS = 40_000;

  /**
   * Runs {@code offload demo --push}: an order sync of {@code options.orders()} delivered to a
   * simulated serverless function whose calls are cut off after 5 s, run to the end through
   * continuations (see {@code PushDemo}).
   *
   * @param offloads opens the store and builds an Offload, applying the given builder settings
   * @param stopSignal how Ctrl-C reaches the demo
   */
  public Ending runPush(
      Function<Consumer<Offload.Builder>, Offload> offloads, StopSignal stopSignal)
      throws InterruptedException {
    Stop stop = new Stop();
    try {
      stop.listen(stopSignal);
      return new PushDemo(options, out).run(offloads, stop);
    } finally {
      stop.finished();
    }
  }

  /** What the simulated upstream holds for a number of orders: what a correct run ends with. */
  public record Expected(List<MonthTotal> months, List<String> brokenOrders) {}

  private final Options options;
  private final PrintStream out;
  private final PrintStream err;

  public Demo(Options options, PrintStream out, PrintStream err) {
    this.options = Objects.requireNonNull(options, "options");
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
  }

  /**
   * The good orders per month and the broken orders' ids of the upstream with {@code orders} orders
   * (derived from its seed, so a test can check a run's report and failed items).
   */
  public static Expected expected(int orders) {
    try (DemoUpstream upstream = DemoUpstream.start(DemoUpstream.Config.of(orders))) {
      return new Expected(upstream.totals(), upstream.brokenOrders());
    }
  }

  /**
   * Runs the demo until its jobs end (and, with {@code keepServing}, until stopped) or the stop
   * signal fires.
   *
   * @param offloads opens the store and builds an Offload, applying the given builder settings
   * @param stopSignal how Ctrl-C reaches the demo
   * @throws IllegalStateException when the given port is taken
   */
  public Ending run(Function<Consumer<Offload.Builder>, Offload> offloads, StopSignal stopSignal)
      throws InterruptedException {
    Stop stop = new Stop();
    DemoOrders app = DemoOrders.open(options.dataDir().resolve(ORDERS_FILE));
    try {
      return run(offloads, stopSignal, app, stop);
    } finally {
      app.close();
      stop.finished();
    }
  }

  private Ending run(
      Function<Consumer<Offload.Builder>, Offload> offloads,
      StopSignal stopSignal,
      DemoOrders app,
      Stop stop)
      throws InterruptedException {
    DemoKinds kinds = new DemoKinds(app, options.dataDir());
    OffloadMetrics metrics = OffloadMetrics.create();
    Offload offload =
        offloads.apply(b -> {
          kinds.configure(b);
          b.listener(metrics);
          // Snappier than the defaults, for a demo on one machine: a snoozed sync is picked up
          // again within
          // 200 ms, bars move four times a second, Ctrl-C hands jobs back after 1 s, a crashed
          // run's jobs
          // are rescued within about 12 s.
          b.pollInterval(Duration.ofMillis(200));
          b.progressInterval(Duration.ofMillis(250));
          b.shutdownGrace(Duration.ofSeconds(1));
          b.leaseDuration(Duration.ofSeconds(10));
          b.rescueInterval(Duration.ofSeconds(2));
        });
    String store = options.store();
    DemoUpstream upstream = null;
    DemoClient client = null;
    OffloadServer server = null;
    DemoRun run = null;
    boolean stopped = false;
    boolean ended = false;
    try {
      DemoRun.Plan plan = DemoRun.plan(offload, app, options.orders());
      upstream = DemoUpstream.start(DemoUpstream.Config.of(plan.orders()));
      client = new DemoClient(upstream.uri());
      kinds.attach(offload, client);
      stop.listen(stopSignal);
      offload.start();
      server = serve(offload, metrics);
      boolean tty = options.tty();
      DemoScreen screen =
          new DemoScreen(out, tty, tty ? DemoScreen.terminalWidth() : DemoScreen.columns());
      header(screen, upstream, server.url(), app);
      run = new DemoRun(offload, kinds, screen, server.url());
      if (plan.resuming()) {
        run.resume(plan);
        if (plan.orders() != options.orders() && options.ordersGiven()) {
          screen.println(
              String.format(
                  "(--orders %,d does not apply to a resumed run: the upstream has the %,d orders the run began with.)",
                  options.orders(), plan.orders()));
        }
      } else {
        if (plan.lastRun() != null) {
          screen.println(
              "The last run (sync job "
                  + plan.lastRun().syncJob()
                  + ") finished, so this one starts anew.");
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
      DemoSummary summary =
          new DemoSummary(
              run.workflow(),
              jobs,
              stages,
              run.emailTotal(),
              run.emailsPending(),
              upstream.counts(),
              store,
              server.url(),
              options.keepServing() && !stopped);
      if (!stopped) {
        summary.lines(run.started(), Instant.now()).forEach(screen::println);
        if (options.keepServing()) {
          stop.await(null);
          stopped = true;
        }
      }
      if (stopped) {
        return Ending.STOPPED;
      }
      return summary.succeeded() ? Ending.SUCCEEDED : Ending.FAILED;
    } finally {
      if (stopped && !ended) {
        out.println();
        out.println("Stopping: the jobs go back to the store with their checkpoints...");
        out.flush();
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
        out.println();
        out.println("Stopped serving.");
        out.flush();
      } else if (stopped) {
        String again =
            "bin/offload demo"
                + (DEFAULT_STORE.equals(store) ? "" : " --store " + DemoSummary.shellQuote(store));
        out.println("Stopped. Run '" + again + "' again to resume where the jobs stopped.");
        out.flush();
      }
    }
  }

  private void header(DemoScreen screen, DemoUpstream upstream, String url, DemoOrders app) {
    DemoUpstream.Config c = upstream.config();
    String store = options.store();
    screen.println(
        "Offload demo: slow, flaky, long work moved out of the request path, with progress you can watch.");
    screen.println(
        "  store      "
            + store
            + (DEFAULT_STORE.equals(store)
                ? " (the demo's own; your offload.db is untouched)"
                : ""));
    screen.println("  app data   " + app.file().toAbsolutePath() + " (the imported orders)");
    screen.println(
        String.format(
            "  upstream   %s/orders, simulated: %,d orders, 1 in %,d broken;",
            upstream.uri(), c.orders(), c.brokenEvery()));
    screen.println(
        String.format(
            "             %d requests/s in bursts of %d, then 429; ~%.0f %% HTTP 500; ~%.0f %% slow pages",
            (int) c.pagesPerSecond(), c.burst(), c.errorRate() * 100, c.slowRate() * 100));
    screen.println("  dashboard  " + url + "/");
    screen.println(
        String.format(
            "  queues     %s: 2 at a time, %s: 2, %s: 8",
            DemoKinds.SYNC_QUEUE, DemoKinds.REPORTS_QUEUE, DemoKinds.EMAIL_QUEUE));
    screen.println("");
  }

  private OffloadServer serve(Offload offload, OffloadMetrics metrics) {
    Integer port = options.port();
    int wanted = port != null ? port : DEFAULT_PORT;
    try {
      return OffloadServer.builder(offload).port(wanted).metrics(metrics).build().start();
    } catch (IllegalStateException e) {
      if (port != null) {
        throw e;
      }
      err.println(
          "offload: port "
              + DEFAULT_PORT
              + " is taken; serving the dashboard on a free port instead");
      return OffloadServer.builder(offload).port(0).metrics(metrics).build().start();
    }
  }

  /**
   * How the demo learns of Ctrl-C: {@link StopSignal#awaitStop} on a thread of its own, since the
   * demo also ends by itself. The stop action asks the run to stop and waits until it has handed
   * its jobs back (the JVM exits when the action returns).
   */
  static final class Stop {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    void listen(StopSignal signal) {
      Thread.ofPlatform()
          .daemon()
          .name("offload-demo-stop")
          .start(() -> {
            try {
              signal.awaitStop(() -> {
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
              // A signal that cannot fire (a test's one-shot run): the demo then ends by itself.
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
