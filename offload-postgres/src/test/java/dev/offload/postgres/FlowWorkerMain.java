package dev.offload.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

/**
 * A worker process for {@link FlowControlNodesTest}: runs {@code flow.work} jobs on queue {@code
 * flow} with 4 threads, short leases (3 s) and quick polling. Each job records its start and end
 * (the database's clock, so intervals from several processes compare) in {@code runs}, sleeps
 * {@code ms} in between, prints "ready", and runs until killed. Arguments: the schema's URL, the
 * node's name, and optionally the rescue interval in milliseconds (default 250).
 */
public final class FlowWorkerMain {
  record Work(long ms, String key) {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String node = args[1];
    String schema = PgUrl.parse(url).schema();
    Duration rescueInterval = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 250);
    // The handler's own connections are pooled and opened up front: opening one per job (a new
    // server process each) would put seconds between a job's claim and its recorded start on a
    // loaded machine, and the measured overlap would say less about the limit.
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(url);
    pool.setMaximumPoolSize(4);
    pool.setMinimumIdle(4);
    pool.setConnectionTimeout(30_000);
    HikariDataSource runs = new HikariDataSource(pool);
    java.util.List<Connection> opened = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      opened.add(runs.getConnection());
    }
    for (Connection c : opened) {
      c.close();
    }
    Offload offload = null;
    // A loaded test machine may take longer than the pool's 5 s to hand out a first connection.
    for (int attempt = 1; offload == null; attempt++) {
      try {
        offload = build(url, node, schema, rescueInterval, runs);
      } catch (dev.offload.OffloadException e) {
        if (attempt == 5) {
          throw e;
        }
        System.err.println("starting failed, trying again: " + e.getMessage());
      }
    }
    offload.start();
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }

  private static Offload build(
      String url, String node, String schema, Duration rescueInterval, HikariDataSource runs) {
    return Offload.builder()
        .store(PostgresStore.connect(url, 6))
        .node(node)
        .queue("flow", 4)
        .leaseDuration(Duration.ofMillis(3_000))
        .heartbeatInterval(Duration.ofMillis(500))
        .rescueInterval(rescueInterval)
        .pollInterval(Duration.ofMillis(100))
        .register(
            "flow.work",
            Work.class,
            (work, ctx) -> {
              try (Connection c = runs.getConnection()) {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "INSERT INTO "
                            + schema
                            + ".runs (job_id, key, node, started) VALUES (?, ?, ?, clock_timestamp())")) {
                  ps.setLong(1, ctx.id().value());
                  ps.setString(2, work.key());
                  ps.setString(3, node);
                  ps.executeUpdate();
                }
                Thread.sleep(work.ms());
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "UPDATE "
                            + schema
                            + ".runs SET ended = clock_timestamp() WHERE job_id = ? AND node = ? AND ended IS NULL")) {
                  ps.setLong(1, ctx.id().value());
                  ps.setString(2, node);
                  ps.executeUpdate();
                }
              }
              return null;
            },
            JobOptions.defaults().queue("flow").maxAttempts(1).retryPolicy(RetryPolicy.immediate()))
        .build();
  }
}
