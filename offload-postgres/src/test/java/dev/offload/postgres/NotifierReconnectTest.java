package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.store.Store.Notifier;
import dev.offload.testsupport.FreshDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The LISTEN connection is checked and replaced when it dies: wake-ups resume within seconds, not
 * at the next poll. Workers here poll every 10 minutes, so only a notification can start a job
 * within the minute the tests wait.
 */
class NotifierReconnectTest {
  private static final Duration POLL = Duration.ofMinutes(10);
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  record Note(String text) {}

  @Test
  void wakeUpsResumeAfterTheListenBackendIsTerminated() throws Exception {
    PostgresStore workerStore = PostgresStore.connect(db.url(), 2);
    try (Offload worker =
            Offload.builder()
                .store(workerStore)
                .node("worker")
                .pollInterval(POLL)
                .register("wake", Note.class, (n, ctx) -> n.text())
                .build();
        Offload client =
            Offload.builder()
                .store(PostgresStore.connect(db.url(), 2))
                .node("client")
                .pollInterval(POLL)
                .queue("unused", 1)
                .register("wake", Note.class, (n, ctx) -> n.text())
                .build()) {
      worker.start();
      awaitListening(workerStore, "probe-1");
      JobId first = client.enqueue("wake", new Note("before"));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> client.job(first).orElseThrow().state() == JobState.SUCCEEDED);

      List<Integer> before = listenerPids();
      assertThat(before).hasSize(1);
      terminate(before.get(0));
      // A new listening session replaces the terminated one...
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> {
            List<Integer> now = listenerPids();
            return now.size() == 1 && !now.equals(before);
          });
      awaitListening(workerStore, "probe-2");
      // ...and an insert wakes the worker again (its next poll is minutes away).
      JobId second = client.enqueue("wake", new Note("after"));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> client.job(second).orElseThrow().state() == JobState.SUCCEEDED);
      assertThat(client.job(second).orElseThrow().node()).isEqualTo("worker");
    }
  }

  @Test
  void halfOpenListenConnectionIsDetectedAndReplaced() throws Exception {
    URI target = URI.create(TestDatabase.URL.substring("jdbc:".length()));
    Set<String> received = ConcurrentHashMap.newKeySet();
    try (TcpProxy proxy =
            new TcpProxy(target.getHost(), target.getPort() > 0 ? target.getPort() : 5432);
        PostgresStore direct = PostgresStore.connect(db.url(), 1)) {
      String viaProxy =
          db.url().replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port());
      // A plain data source, so each reconnection opens a fresh connection through the proxy
      // (a pool would first have to find out that its idle connections died too).
      PGSimpleDataSource dataSource = new PGSimpleDataSource();
      dataSource.setUrl(viaProxy);
      try (PgNotifier notifier = new PgNotifier(dataSource, db.schema(), "half-open test")) {
        notifier.subscribe(Notifier.INSERT, received::add);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> {
              direct.notifier().publish(Notifier.INSERT, "before");
              return received.contains("before");
            });
        int opened = notifier.connectionsOpened();

        // The network drops everything on the open connection but never closes it: without a
        // ping the listener would wait on it forever.
        proxy.blackHoleOpen();
        int[] n = {0};
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> {
              direct.notifier().publish(Notifier.INSERT, "after-" + n[0]++);
              return received.stream().anyMatch(p -> p.startsWith("after-"));
            });
        assertThat(notifier.connectionsOpened()).isGreaterThan(opened);
      }
    }
  }

  /**
   * Waits until the node's listener hears on the insert channel: a probe (a queue name no worker
   * serves) is published until it arrives, so a job inserted next is sure to wake the worker.
   */
  private static void awaitListening(PostgresStore store, String probe) throws Exception {
    Set<String> heard = ConcurrentHashMap.newKeySet();
    try (PostgresStore other = PostgresStore.connect(db.url(), 1);
        AutoCloseable sub = store.notifier().subscribe(Notifier.INSERT, heard::add)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> {
            other.notifier().publish(Notifier.INSERT, probe);
            return heard.contains(probe);
          });
    }
  }

  /** Backends of this db.schema()'s listener: their last statement was a LISTEN on its channels. */
  private static List<Integer> listenerPids() throws Exception {
    try (Connection c = TestDatabase.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN \"' || ? || '.%' ORDER BY pid")) {
      ps.setString(1, db.schema());
      List<Integer> pids = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          pids.add(rs.getInt(1));
        }
      }
      return pids;
    }
  }

  private static void terminate(int pid) throws Exception {
    try (Connection c = TestDatabase.connect();
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getBoolean(1)).isTrue();
      }
    }
  }
}
