package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.testsupport.FreshDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression: the heartbeat shared one thread with rescue and pruning, so while the leader pruned a
 * big backlog of finished jobs its running jobs' leases lapsed, and any rescuer (a new leader, an
 * operator's {@code rescueNow}) took healthy jobs away from it. The heartbeat has its own thread.
 *
 * <p>How long 200,000 deletes take depends on the machine, so the test makes the prune long for
 * sure: it holds a row lock on one old row halfway through, and the prune waits on it for three
 * lease durations before it may finish.
 */
class HeartbeatDuringPruneTest {
  private static final int FINISHED_ROWS = 200_000;
  private static final int RUNNING = 4;
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration HOLD = LEASE.multipliedBy(3);
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  record Work(int n) {}

  @Test
  void leasesOfRunningJobsStayRenewedWhileTheLeaderPrunesTwoHundredThousandRows() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    Offload node =
        Offload.builder()
            .store(PostgresStore.connect(db.url(), 4))
            .node("pruner")
            .queue("default", RUNNING)
            .pollInterval(Duration.ofMillis(100))
            .leaseDuration(LEASE)
            .heartbeatInterval(Duration.ofMillis(200))
            .rescueInterval(Duration.ofMillis(200))
            .retention(Duration.ofDays(1))
            .shutdownGrace(Duration.ofMillis(200))
            .register(
                "work",
                Work.class,
                (work, ctx) -> {
                  runs.incrementAndGet();
                  release.await();
                  return null;
                })
            .build();
    // A second node's rescuer, run by hand while the leader prunes: it stands for whoever rescues
    // next (a newly elected leader, an operator), and must find no expired lease to take.
    Offload rescuer =
        Offload.builder()
            .store(PostgresStore.connect(db.url(), 1))
            .node("rescuer")
            .migrate(false)
            .build();
    try (Connection blocker = TestDatabase.connect()) {
      insertFinishedJobs();
      blocker.setAutoCommit(false);
      try (Statement st = blocker.createStatement()) {
        // Found first and locked by id: FOR UPDATE with OFFSET would lock every row it skips.
        st.execute(
            "SELECT 1 FROM "
                + db.schema()
                + ".jobs WHERE id = (SELECT id FROM "
                + db.schema()
                + ".jobs"
                + " WHERE state = 'succeeded' ORDER BY finished_at OFFSET "
                + FINISHED_ROWS / 2
                + " LIMIT 1) FOR UPDATE");
      }
      List<JobRequest> work = new ArrayList<>();
      for (int i = 0; i < RUNNING; i++) {
        work.add(JobRequest.of("work", new Work(i)));
      }
      List<JobId> ids = node.enqueueAll(work);
      node.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> count("state = 'running'") == RUNNING);

      // The prune deletes the first half, then waits on the locked row.
      await()
          .atMost(Duration.ofSeconds(180))
          .until(() -> count("state = 'succeeded'") <= FINISHED_ROWS / 2);
      int[] rescued = {0};
      long[] lapsed = {0};
      long holdUntil = System.nanoTime() + HOLD.toNanos();
      await()
          .atMost(HOLD.plusSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            lapsed[0] =
                Math.max(lapsed[0], count("state = 'running' AND lease_expires_at < now()"));
            rescued[0] += rescuer.rescueNow();
            return System.nanoTime() - holdUntil >= 0;
          });
      assertThat(count("state = 'succeeded'"))
          .as("the prune is still held")
          .isEqualTo(FINISHED_ROWS / 2);
      blocker.rollback();
      await()
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            lapsed[0] =
                Math.max(lapsed[0], count("state = 'running' AND lease_expires_at < now()"));
            rescued[0] += rescuer.rescueNow();
            return count("state = 'succeeded'") == 0;
          });
      assertThat(lapsed[0]).as("running jobs whose lease lapsed during the prune").isZero();
      assertThat(rescued[0]).as("healthy jobs rescued during the prune").isZero();
      assertThat(count("state = 'running' AND attempt = 1")).isEqualTo(RUNNING);

      release.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> count("state = 'succeeded'") == RUNNING);
      assertThat(runs).hasValue(RUNNING);
      for (JobId id : ids) {
        assertThat(node.job(id).orElseThrow().errors()).isEmpty();
      }
    } finally {
      release.countDown();
      node.close();
      rescuer.close();
    }
  }

  private static void insertFinishedJobs() throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      st.execute("SET search_path TO " + db.schema());
      st.execute(
          """
          INSERT INTO jobs (kind, queue, state, priority, args, attempt, max_attempts, run_at, created_at, started_at,
                            finished_at, lease_owner, result)
          SELECT 'old', 'default', 'succeeded', 5, jsonb_build_object('n', g), 1, 3, now() - interval '30 days',
                 now() - interval '30 days', now() - interval '30 days', now() - interval '30 days' + g * interval '1 ms',
                 'gone', '"done"'
          FROM generate_series(1, %d) g\
          """
              .formatted(FINISHED_ROWS));
      st.execute("ANALYZE jobs");
    }
    assertThat(count("state = 'succeeded'")).isEqualTo(FINISHED_ROWS);
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
