package dev.offload.demo;

import dev.offload.EnqueueOptions;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import dev.offload.Offload;
import dev.offload.QueueOptions;
import dev.offload.push.PushReceiver;
import dev.offload.server.OffloadServer;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What {@code offload demo --push} runs: an order sync that needs about 20 s, delivered to a
 * simulated serverless function ({@link DemoFunction}) that cuts every call off after 5 s. The
 * function hosts a {@link PushReceiver}; the sync ({@link PushSync}) yields before each cut-off,
 * and Offload calls it again from its checkpoint, so the job runs to the end as a chain of short
 * calls with one progress bar, in one attempt.
 */
final class PushDemo {
  static final String QUEUE = "demo-functions";
  static final Duration LIMIT = Duration.ofSeconds(5);
  static final String SECRET_ENV = "OFFLOAD_DEMO_PUSH_SECRET";
  private static final Duration TICK = Duration.ofMillis(250);

  private final Demo.Options options;
  private final PrintStream out;
  private final ConcurrentLinkedQueue<PushSync.Event> events = new ConcurrentLinkedQueue<>();

  PushDemo(Demo.Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Demo.Ending run(Function<Consumer<Offload.Builder>, Offload> offloads, Demo.Stop stop)
      throws InterruptedException {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String secret = HexFormat.of().formatHex(random);
    PushSync sync = new PushSync(events::add);
    PushReceiver receiver =
        PushReceiver.builder()
            .secret(secret)
            .invocationLimit(LIMIT)
            // Room for a page in progress, the checkpoint and the answer on a busy machine.
            .yieldMargin(Duration.ofMillis(1_500))
            .progressInterval(TICK)
            .register(PushSync.KIND, PushSync.Args.class, sync::run)
            .build();
    int port = dashboardPort();
    try (DemoFunction function = DemoFunction.start(receiver, LIMIT)) {
      Offload offload =
          offloads.apply(b -> {
            b.pollInterval(Duration.ofMillis(200));
            b.progressInterval(TICK);
            b.shutdownGrace(Duration.ofSeconds(1));
            b.leaseDuration(Duration.ofSeconds(10));
            b.rescueInterval(Duration.ofSeconds(2));
            // This node dispatches the queue, one call at a time: one job, whose calls follow
            // each other. Without it the node claims nothing from the queue and the job waits.
            b.queue(QUEUE, 1);
            // Each push carries a progressUrl on the dashboard's server: the receiver reports
            // progress while a call runs, beside what each 202 continuation carries.
            b.publicUrl(URI.create("http://127.0.0.1:" + port + "/"));
            b.pushSecrets(name -> name.equals(SECRET_ENV) ? secret : null);
          });
      OffloadServer server = null;
      try {
        // The function's port is new on every run: bind the queue to it, whatever was stored.
        offload.updateQueue(
            QUEUE,
            QueueOptions.none()
                .push(
                    QueueOptions.Push.to(function.url.toString())
                        .timeout(LIMIT)
                        .secretEnv(SECRET_ENV)));
        cancelEarlierRuns(offload);
        server = OffloadServer.builder(offload).port(port).build().start();
        offload.start();
        JobId id =
            offload.enqueue(
                PushSync.KIND,
                new PushSync.Args(options.orders()),
                EnqueueOptions.none().queue(QUEUE).allowUnknownKind());
        header(function, server.url(), id);
        Job job = follow(offload, id, function, stop);
        if (job == null) {
          out.println();
          out.println("Stopped: the job goes back to the store with its checkpoint.");
          return Demo.Ending.STOPPED;
        }
        summary(job, function);
        return job.state() == JobState.SUCCEEDED ? Demo.Ending.SUCCEEDED : Demo.Ending.FAILED;
      } finally {
        if (server != null) {
          server.stop();
        }
        offload.close();
      }
    }
  }

  private void header(DemoFunction function, String dashboard, JobId id) {
    int pages = (options.orders() + PushSync.PAGE - 1) / PushSync.PAGE;
    out.println(
        "Offload demo --push: a sync that needs longer than the function that runs it may run.");
    out.println(
        "  function   "
            + function.url
            + " (simulated serverless function: every call cut off after "
            + LIMIT.toSeconds()
            + " s)");
    out.println(
        "  receiver   PushReceiver (offload-push) in the function: checks the signature, runs the"
            + " handler, answers 202 to continue");
    out.println(
        "  queue      "
            + QUEUE
            + ": pushed to the function, signed with "
            + SECRET_ENV
            + ", push timeout "
            + LIMIT.toSeconds()
            + " s");
    out.println("  dashboard  " + dashboard + "/jobs/" + id.value());
    out.println(
        String.format(
            "  job        %s #%d: %,d orders, %d pages of %d ms: about %d s of work",
            PushSync.KIND,
            id.value(),
            options.orders(),
            pages,
            PushSync.PAGE_TIME.toMillis(),
            pages * PushSync.PAGE_TIME.toMillis() / 1000));
    out.println();
    out.flush();
  }

  /** Prints the calls and the job's progress until it ends; null when stopped first. */
  private Job follow(Offload offload, JobId id, DemoFunction function, Demo.Stop stop)
      throws InterruptedException {
    double shown = -1;
    Instant lastLine = Instant.EPOCH;
    while (true) {
      for (PushSync.Event e; (e = events.poll()) != null; ) {
        out.println(
            String.format(
                e.yielded()
                    ? "  call %d  orders %,d-%,d in %.1f s, then yielded: 202 continue from order %,d"
                    : "  call %d  orders %,d-%,d in %.1f s: done, 200 with the result",
                e.call(),
                e.from(),
                e.to(),
                e.took().toMillis() / 1000.0,
                e.to()));
      }
      Job job = offload.job(id).orElseThrow();
      if (job.state().isFinal()) {
        return job;
      }
      Progress p = job.progress();
      if (p != null
          && p.percent() != shown
          && Duration.between(lastLine, Instant.now()).toMillis() >= 1_000) {
        shown = p.percent();
        lastLine = Instant.now();
        out.println(
            String.format(
                "           [%s] %3.0f%%  %s",
                bar(p.percent()), p.percent(), p.message() == null ? "" : p.message()));
      }
      out.flush();
      if (stop.await(TICK)) {
        return null;
      }
    }
  }

  private void summary(Job job, DemoFunction function) {
    for (PushSync.Event e; (e = events.poll()) != null; ) {
      out.println(
          String.format(
              "  call %d  orders %,d-%,d in %.1f s: done, 200 with the result",
              e.call(), e.from(), e.to(), e.took().toMillis() / 1000.0));
    }
    out.println();
    Duration took =
        job.startedAt() == null || job.finishedAt() == null
            ? Duration.ZERO
            : Duration.between(job.createdAt(), job.finishedAt());
    out.println(
        String.format(
            "Job #%d %s in %.1f s: %d calls of at most %d s each, attempt %d of %d, %d calls cut off"
                + " by the platform.",
            job.id().value(),
            job.state().wireName(),
            took.toMillis() / 1000.0,
            function.invocations(),
            LIMIT.toSeconds(),
            job.attempt(),
            job.maxAttempts(),
            function.cutOff()));
    out.println("  result     " + (job.result() == null ? "none" : job.result().toString()));
    out.flush();
  }

  private static String bar(double percent) {
    int filled = (int) Math.round(percent / 5);
    return "#".repeat(Math.max(0, Math.min(20, filled)))
        + "-".repeat(Math.max(0, 20 - Math.min(20, filled)));
  }

  /** A run stopped with Ctrl-C left its job in the store: this run starts its own. */
  private void cancelEarlierRuns(Offload offload) {
    for (Job j : offload.jobs(JobQuery.all().kind(PushSync.KIND).limit(100)).jobs()) {
      if (!j.state().isFinal()) {
        offload.cancel(j.id());
        out.println("(cancelled push sync #" + j.id().value() + ", left by an earlier run)");
      }
    }
  }

  private int dashboardPort() {
    Integer wanted = options.port();
    if (wanted != null && wanted != 0) {
      return wanted;
    }
    if (wanted == null && free(Demo.DEFAULT_PORT)) {
      return Demo.DEFAULT_PORT;
    }
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("no free port for the dashboard: " + e.getMessage(), e);
    }
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
