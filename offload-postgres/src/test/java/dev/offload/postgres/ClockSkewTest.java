package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.JobHandler;
import dev.offload.Offload;
import dev.offload.testsupport.FreshDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression: leases were written with each worker's clock and compared with the leader's, so a
 * leader whose clock ran ahead rescued the healthy jobs of every other node. Leases now live on the
 * database's clock: a leader 5 minutes ahead leaves healthy jobs alone and still rescues the jobs
 * of a node that really died.
 */
class ClockSkewTest {
  private static final Duration AHEAD = Duration.ofMinutes(5);
  private static final int HEALTHY_JOBS = 3;
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  record Hold(String who) {}

  @Test
  void leaderFiveMinutesAheadRescuesADeadNodesJobsButNotAHealthyNodes() throws Exception {
    URI target = URI.create(TestDatabase.URL.substring("jdbc:".length()));
    InstantSource ahead = () -> Instant.now().plus(AHEAD);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger healthyRuns = new AtomicInteger();
    CountDownLatch doomedStarted = new CountDownLatch(1);
    List<Offload> nodes = new ArrayList<>();
    try (TcpProxy proxy =
        new TcpProxy(target.getHost(), target.getPort() > 0 ? target.getPort() : 5432)) {
      String viaProxy =
          db.url().replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port());
      // The leader, whose clock runs 5 minutes ahead; it runs nothing itself.
      Offload leader =
          node("ahead", ahead, PostgresStore.connect(db.url(), 2), "none", (h, ctx) -> null);
      nodes.add(leader);
      leader.start();
      await().atMost(Duration.ofSeconds(30)).until(ClockSkewTest::leaderLockHeld);

      Offload healthy =
          node(
              "healthy",
              InstantSource.system(),
              PostgresStore.connect(db.url(), 2),
              "healthy",
              (h, ctx) -> {
                healthyRuns.incrementAndGet();
                release.await();
                return "healthy";
              });
      nodes.add(healthy);
      // A node (also 5 minutes ahead) that will be cut off from the database for good.
      Offload doomed =
          node(
              "doomed",
              ahead,
              PostgresStore.connect(viaProxy, 2),
              "doomed",
              (h, ctx) -> {
                doomedStarted.countDown();
                release.await();
                return "doomed";
              });
      nodes.add(doomed);

      List<JobId> healthyJobs = new ArrayList<>();
      for (int i = 0; i < HEALTHY_JOBS; i++) {
        healthyJobs.add(
            healthy.enqueue("hold", new Hold("healthy"), EnqueueOptions.none().queue("healthy")));
      }
      JobId doomedJob =
          doomed.enqueue("hold", new Hold("doomed"), EnqueueOptions.none().queue("doomed"));
      healthy.start();
      doomed.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> healthyRuns.get() == HEALTHY_JOBS && doomedStarted.getCount() == 0);

      proxy.cut();
      // The leader rescues the dead node's job once its lease (2 s on the database's clock) is
      // over...
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> leader.job(doomedJob).orElseThrow().state() != JobState.RUNNING);
      Job rescued = leader.job(doomedJob).orElseThrow();
      assertThat(rescued.errors())
          .singleElement()
          .satisfies(e -> assertThat(e.message()).contains("lost worker", "doomed"));
      // ...and, in that pass and every pass before it, left the healthy node's jobs alone.
      for (JobId id : healthyJobs) {
        Job job = leader.job(id).orElseThrow();
        assertThat(job.state()).as("healthy job %s", id).isEqualTo(JobState.RUNNING);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.errors()).isEmpty();
      }
      assertThat(healthyRuns).hasValue(HEALTHY_JOBS);

      release.countDown();
      for (JobId id : healthyJobs) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> healthy.job(id).orElseThrow().state() == JobState.SUCCEEDED);
      }
      assertThat(healthyRuns).hasValue(HEALTHY_JOBS);
    } finally {
      release.countDown();
      nodes.forEach(Offload::close);
    }
  }

  private static Offload node(
      String name,
      InstantSource clock,
      PostgresStore store,
      String queue,
      JobHandler<Hold> handler) {
    return Offload.builder()
        .store(store)
        .node(name)
        .clock(clock)
        .queue(queue, HEALTHY_JOBS)
        .pollInterval(Duration.ofMillis(200))
        .leaseDuration(Duration.ofSeconds(2))
        .heartbeatInterval(Duration.ofMillis(250))
        .rescueInterval(Duration.ofMillis(250))
        .shutdownGrace(Duration.ofMillis(200))
        .register("hold", Hold.class, handler)
        .build();
  }

  /**
   * Whether some session holds this schema's leader lock (only the leader node runs when asked).
   */
  private static boolean leaderLockHeld() throws Exception {
    try (Connection c = TestDatabase.connect();
        PreparedStatement ps =
            c.prepareStatement(
                """
                SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND objsubid = 1
                  AND objid = (hashtext(?)::bigint & 4294967295)::oid\
                """)) {
      ps.setString(1, "offload.leader:" + db.schema());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }
}
