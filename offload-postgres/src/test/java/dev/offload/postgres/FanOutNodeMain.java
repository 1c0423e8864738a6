package dev.offload.postgres;

import static org.awaitility.Awaitility.await;

import dev.offload.JobOptions;
import dev.offload.Offload;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

/**
 * A node for {@link FanOutNodesTest}: runs {@code fan.sync} (adds {@code pages} steps {@code
 * page-N} to its workflow), {@code fan.page} (records its run in {@code page_runs}) and {@code
 * fan.report} (records its run too); prints "ready" once started and runs until killed.
 *
 * <p>The first page each node runs waits until both nodes have run one, so the fan-out is spread
 * over both processes whatever their start-up times.
 */
public final class FanOutNodeMain {
  record SyncArgs(int pages) {}

  record PageArgs(String name) {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String node = args[1];
    boolean[] waitedForPeer = {false};
    Offload offload =
        Offload.builder()
            .store(PostgresStore.connect(url, 6))
            .node(node)
            .pollInterval(Duration.ofMillis(100))
            .register(
                "fan.sync",
                SyncArgs.class,
                (sync, ctx) -> {
                  for (int i = 1; i <= sync.pages(); i++) {
                    ctx.workflow().add("page-" + i, "fan.page", new PageArgs("page-" + i));
                  }
                  return sync.pages();
                },
                JobOptions.defaults().maxAttempts(1))
            .register(
                "fan.page",
                PageArgs.class,
                (page, ctx) -> {
                  record(url, page.name(), node);
                  synchronized (waitedForPeer) {
                    if (!waitedForPeer[0]) {
                      await().atMost(Duration.ofSeconds(60)).until(() -> nodesThatRan(url) >= 2);
                      waitedForPeer[0] = true;
                    }
                  }
                  return node;
                },
                JobOptions.defaults().maxAttempts(1))
            .register(
                "fan.report",
                PageArgs.class,
                (report, ctx) -> {
                  record(url, report.name(), node);
                  return node;
                },
                JobOptions.defaults().maxAttempts(1))
            .build();
    offload.start();
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }

  private static void record(String url, String name, String node) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO page_runs (name, node, at) VALUES (?, ?, now())")) {
      ps.setString(1, name);
      ps.setString(2, node);
      ps.executeUpdate();
    }
  }

  private static long nodesThatRan(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(DISTINCT node) FROM page_runs WHERE name LIKE 'page-%'");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
