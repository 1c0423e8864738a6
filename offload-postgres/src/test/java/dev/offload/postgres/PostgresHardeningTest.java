package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.store.Store;
import dev.offload.testsupport.FreshDatabase;
import dev.offload.testsupport.HardeningContract;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The hardening regressions against real PostgreSQL, in a db.schema() of this class's own. */
class PostgresHardeningTest extends HardeningContract {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  @Override
  protected Store newStore() {
    return PostgresStore.connect(db.url(), 12);
  }

  @Override
  protected Store newSmallStore() {
    return PostgresStore.connect(db.url(), 2);
  }

  @Override
  protected Connection openConnection() throws Exception {
    Connection c = TestDatabase.connect();
    try (Statement st = c.createStatement()) {
      st.execute("SET search_path TO " + db.schema());
    }
    return c;
  }

  @Override
  protected void truncate() throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "TRUNCATE "
              + db.schema()
              + ".jobs, "
              + db.schema()
              + ".kinds, "
              + db.schema()
              + ".queues");
    }
  }

  @Override
  protected boolean holdsNulInJson() {
    return false;
  }

  // ---------------------------------------------------------------- 4: closing releases the
  // database

  @Test
  void closingReleasesEveryConnectionAndTheLeaderLock() throws Exception {
    String app = "offload-close-" + UUID.randomUUID().toString().substring(0, 8);
    String url = db.url() + "&ApplicationName=" + app;
    // Stores with pools of their own: closing ends their sessions.
    for (int i = 0; i < 25; i++) {
      try (Offload o = node(PostgresStore.connect(url, 2))) {
        runOneJob(o);
        await().atMost(Duration.ofSeconds(20)).until(() -> leaderLocks(app) == 1);
      }
      assertThat(leaderLocks(app)).isZero();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> sessions(app) == 0);

    // Stores over the caller's pool: the pool stays, holding no lock and lending no connection.
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(6);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      for (int i = 0; i < 25; i++) {
        try (Offload o = node(PostgresStore.create(pool, db.schema()))) {
          runOneJob(o);
          await().atMost(Duration.ofSeconds(20)).until(() -> leaderLocks(app) == 1);
        }
        assertThat(leaderLocks(app))
            .as("advisory locks held by the pool's sessions after close")
            .isZero();
        assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> sessions(app) == 0);
  }

  private static Offload node(Store store) {
    Offload o =
        Offload.builder()
            .store(store)
            .migrate(false)
            .pollInterval(Duration.ofMillis(50))
            .shutdownGrace(Duration.ofMillis(100))
            .register("ok", String.class, (a, c) -> a)
            .build();
    o.start();
    return o;
  }

  private static void runOneJob(Offload o) throws InterruptedException {
    JobId id = o.enqueue("ok", "x");
    assertThat(o.await(id, Duration.ofSeconds(30)).job().state()).isEqualTo(JobState.SUCCEEDED);
  }

  private static long sessions(String app) throws Exception {
    return count("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", app);
  }

  private static long leaderLocks(String app) throws Exception {
    return count(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            + " WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = ?",
        app);
  }

  private static long count(String sql, String app) throws Exception {
    try (Connection c = TestDatabase.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, app);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
