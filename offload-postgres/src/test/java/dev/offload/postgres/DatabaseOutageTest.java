package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Offload;
import dev.offload.testsupport.FreshDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database goes away in the middle of a run and comes back: every node reconnects by itself,
 * jobs finished meanwhile are written once it is back, and every job ends succeeded exactly once.
 */
class DatabaseOutageTest {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  record Work(int n) {}

  @Test
  void fiveThousandJobsSurviveTheDatabaseGoingAwayMidRun() throws Exception {
    URI target = URI.create(TestDatabase.URL.substring("jdbc:".length()));
    Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
    int jobs = 5_000;
    try (TcpProxy proxy =
        new TcpProxy(target.getHost(), target.getPort() > 0 ? target.getPort() : 5432)) {
      String viaProxy =
          db.url().replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port());
      List<Offload> nodes = new ArrayList<>();
      for (int n = 0; n < 2; n++) {
        nodes.add(
            Offload.builder()
                .store(PostgresStore.connect(viaProxy, 6))
                .queue("default", 8)
                .pollInterval(Duration.ofMillis(100))
                .leaseDuration(Duration.ofSeconds(6))
                .heartbeatInterval(Duration.ofSeconds(1))
                .rescueInterval(Duration.ofMillis(500))
                .register(
                    "work",
                    Work.class,
                    (work, ctx) -> {
                      runs.computeIfAbsent(work.n(), k -> new AtomicInteger()).incrementAndGet();
                      Thread.sleep(1);
                      return null;
                    })
                .build());
      }
      List<JobRequest> batch = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        batch.add(JobRequest.of("work", new Work(i)));
      }
      nodes.get(0).enqueueAll(batch);
      nodes.forEach(Offload::start);

      await().atMost(Duration.ofSeconds(60)).until(() -> runs.size() > 1_000);
      proxy.cut();
      // The outage lasts until every node has noticed it: claims, completions, heartbeats and
      // NOTIFY all fail meanwhile.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> nodes.stream().noneMatch(n -> n.health().notifierConnected()));
      proxy.restore();

      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> count("state = 'succeeded'") == jobs);
      for (Offload node : nodes) {
        node.close();
      }
    }
    assertThat(count("state <> 'succeeded'")).isZero();
    assertThat(runs).hasSize(jobs);
    // Leases (6 s) outlived the outage (about a second), so no handler ran twice.
    assertThat(runs.values()).allMatch(c -> c.get() == 1);
    // A claim committed just as the connection was cut never reached its node: the job waited
    // out its lease and was rescued, recorded as such, and then ran for the first time.
    assertThat(count("attempt > 2")).isZero();
    assertThat(count("attempt = 2 AND NOT errors::text LIKE '%rescued from a lost worker%'"))
        .isZero();
  }

  private static long count(String where) throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT count(*) FROM " + db.schema() + ".jobs WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
