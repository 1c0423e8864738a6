package dev.offload.bench;

import static dev.offload.bench.Main.num;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.QueueOptions;
import dev.offload.postgres.PostgresStore;
import dev.offload.push.PushReceiver;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code --push}, scenario {@code push-1000}: one Offload node on PostgreSQL pushes 1,000 jobs to a
 * local endpoint (a {@code PushReceiver} in Jetty on 127.0.0.1) whose handler answers in 50 ms,
 * and, beside it, the same node drains 1,000 pull jobs whose handler takes the same 50 ms, with the
 * same concurrency. Each figure is from {@code start()} to the last job succeeded.
 */
final class PushBench {
  static final String SCENARIO = "push-1000";
  static final int JOBS = 1_000;
  static final int CONCURRENCY = 100;
  static final long HANDLER_MS = 50;
  private static final String SECRET_ENV = "OFFLOAD_BENCH_PUSH_SECRET";
  private static final String SECRET = "bench-push-secret-0123456789abcdef";

  private PushBench() {}

  /** In {@link Main}'s JVM: runs the scenario's repeats and adds its row to results.json. */
  static void run(Main main, BenchOptions options) throws Exception {
    System.out.printf(
        "%nPush: %,d jobs pushed to a local endpoint answering in %d ms, against %,d pull jobs of"
            + " %d ms; one node on PostgreSQL, concurrency %d, %d repeat(s).%n",
        JOBS, HANDLER_MS, JOBS, HANDLER_MS, CONCURRENCY, options.repeat());
    List<Map<String, Object>> runs = new ArrayList<>();
    for (int rep = 1; rep <= options.repeat(); rep++) {
      System.out.printf("  [%d/%d] ", rep, options.repeat());
      System.out.flush();
      Map<String, Object> r =
          main.child(
              "push-" + rep,
              Main.javaOpts("OFFLOAD_BENCH_JAVA_OPTS"),
              "mode=push",
              "schema=" + Main.schema("push"));
      System.out.printf(
          "push %,7.0f jobs/s (%.2f s)   pull %,7.0f jobs/s (%.2f s)%n",
          num(r.get("pushPerSec")),
          num(r.get("pushSecs")),
          num(r.get("pullPerSec")),
          num(r.get("pullSecs")));
      runs.add(r);
    }
    Map<String, Object> row = Results.row(SCENARIO, JOBS, CONCURRENCY);
    row.put("concurrency", CONCURRENCY);
    row.put("handlerMs", HANDLER_MS);
    Stats.putMedians(row, runs, "pushPerSec", "pushSecs", "pullPerSec", "pullSecs");
    row.put("repeats", runs.size());
    row.put("runs", runs);
    System.out.printf(
        "  median: push %,.0f jobs/s, pull %,.0f jobs/s (ideal at concurrency %d: %,.0f jobs/s)%n",
        num(row.get("pushPerSec")),
        num(row.get("pullPerSec")),
        CONCURRENCY,
        CONCURRENCY * 1000.0 / HANDLER_MS);
    Results.write(main.target(), List.of(row));
  }

  record Noop(long n) {}

  /** In the child JVM: both drains, on a fresh schema. */
  static Map<String, Object> measure(Map<String, String> a) throws Exception {
    String schema = a.get("schema");
    Pg.createSchema(schema);
    Server endpoint = endpoint();
    try (Connection probe = Pg.connect(Pg.baseUrl())) {
      int port = ((ServerConnector) endpoint.getConnectors()[0]).getLocalPort();
      Offload offload =
          Offload.builder()
              .store(PostgresStore.connect(Pg.withSchema(Pg.baseUrl(), schema), 20))
              .queue("pull", CONCURRENCY)
              .queue("push", CONCURRENCY)
              .pushSecrets(name -> name.equals(SECRET_ENV) ? SECRET : null)
              .register(
                  "bench.pull",
                  Noop.class,
                  (args, ctx) -> {
                    Thread.sleep(HANDLER_MS);
                    return null;
                  },
                  JobOptions.defaults().queue("pull"))
              .build();
      offload.updateQueue(
          "push",
          QueueOptions.none()
              .push(
                  QueueOptions.Push.to("http://127.0.0.1:" + port + "/push")
                      .timeout(Duration.ofSeconds(30))
                      .secretEnv(SECRET_ENV)));
      String table = schema + ".jobs";
      List<JobRequest> pushes = new ArrayList<>();
      List<JobRequest> pulls = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        pushes.add(
            JobRequest.of(
                "bench.push", new Noop(i), EnqueueOptions.none().queue("push").allowUnknownKind()));
        pulls.add(JobRequest.of("bench.pull", new Noop(i)));
      }
      Map<String, Object> r = new LinkedHashMap<>();
      // Pull first, then push, each enqueued while the node is paused on that queue's work.
      offload.enqueueAll(pulls);
      long t0 = System.nanoTime();
      offload.start();
      awaitDone(probe, table, "bench.pull");
      double pullSecs = (System.nanoTime() - t0) / 1e9;
      offload.enqueueAll(pushes);
      long t1 = System.nanoTime();
      awaitDone(probe, table, "bench.push");
      double pushSecs = (System.nanoTime() - t1) / 1e9;
      offload.close();
      r.put("pushSecs", round(pushSecs));
      r.put("pushPerSec", round(JOBS / pushSecs));
      r.put("pullSecs", round(pullSecs));
      r.put("pullPerSec", round(JOBS / pullSecs));
      return r;
    } finally {
      endpoint.stop();
      Pg.dropSchema(schema);
    }
  }

  private static void awaitDone(Connection probe, String table, String kind) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (Pg.count(
            probe,
            "SELECT count(*) FROM "
                + table
                + " WHERE kind = '"
                + kind
                + "' AND state = 'succeeded'")
        < JOBS) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(kind + " did not finish within 5 minutes");
      }
      Thread.sleep(5);
    }
  }

  /** The endpoint: a PushReceiver in Jetty whose handler takes 50 ms. */
  private static Server endpoint() throws Exception {
    PushReceiver receiver =
        PushReceiver.builder()
            .secret(SECRET)
            .register(
                "bench.push",
                Noop.class,
                (args, ctx) -> {
                  Thread.sleep(HANDLER_MS);
                  return null;
                })
            .build();
    QueuedThreadPool threads = new QueuedThreadPool(CONCURRENCY * 3);
    threads.setName("bench-endpoint");
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(receiver), "/push");
    server.setHandler(context);
    server.start();
    return server;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
