package dev.offload.postgres;

import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;

/**
 * A worker process for {@link WorkerCrashTest}: runs {@code crash.work} jobs (each sleeps {@code
 * ms}) on the given schema with short leases, prints "ready", and runs until killed.
 */
public final class CrashWorkerMain {
  record Work(long ms) {}

  record Items(int items, int checkpointEvery) {}

  record Cursor(int next) {}

  private static String schemaOf(String url) {
    return PgUrl.parse(url).schema();
  }

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String node = args[1];
    Offload offload =
        Offload.builder()
            .store(PostgresStore.connect(url, 6))
            .node(node)
            .queue("default", 4)
            .leaseDuration(Duration.ofMillis(1_500))
            .heartbeatInterval(Duration.ofMillis(300))
            .rescueInterval(Duration.ofMillis(250))
            .pollInterval(Duration.ofMillis(100))
            .register(
                "crash.work",
                Work.class,
                (work, ctx) -> {
                  Thread.sleep(work.ms());
                  return null;
                },
                JobOptions.defaults().maxAttempts(3).retryPolicy(RetryPolicy.immediate()))
            .register(
                "crash.items",
                Items.class,
                (job, ctx) -> {
                  // Records every item it processes, so the test can count items processed twice.
                  try (Connection c = DriverManager.getConnection(url);
                      PreparedStatement ps =
                          c.prepareStatement(
                              "INSERT INTO "
                                  + schemaOf(url)
                                  + ".processed (job_id, item, node) VALUES (?, ?, ?)")) {
                    int from = ctx.checkpoint(Cursor.class).map(Cursor::next).orElse(0);
                    ctx.total(job.items());
                    ctx.done(from);
                    for (int item = from; item < job.items(); item++) {
                      Thread.sleep(2);
                      ps.setLong(1, ctx.id().value());
                      ps.setInt(2, item);
                      ps.setString(3, node);
                      ps.executeUpdate();
                      ctx.advance(1);
                      if ((item + 1) % job.checkpointEvery() == 0) {
                        ctx.checkpoint(new Cursor(item + 1));
                      }
                    }
                  }
                  return null;
                },
                JobOptions.defaults().maxAttempts(3).retryPolicy(RetryPolicy.immediate()))
            .register(
                "crash.block",
                Work.class,
                (work, ctx) -> {
                  // Runs until cancelled: a minute is far longer than any test waits.
                  Thread.sleep(60_000);
                  return "not cancelled";
                })
            .register(
                "crash.exit",
                Work.class,
                (work, ctx) -> {
                  // A poison job: it takes its worker down with it, every time.
                  Runtime.getRuntime().halt(3);
                  return null;
                },
                JobOptions.defaults().maxAttempts(2).retryPolicy(RetryPolicy.immediate()))
            .progressInterval(Duration.ofMillis(200))
            .build();
    offload.start();
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
