package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.JobId;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Offload.QueueStats;
import dev.offload.testsupport.FreshDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The counts per queue and state that the dashboard, {@code GET /api/queues} and {@code /metrics}
 * show come from {@code job_counts}, kept by triggers in the transactions that move jobs: they
 * equal a count of the rows in every snapshot (so under concurrent claims and completions too), a
 * rolled-back enqueue leaves them as they were, and reading them never scans the jobs table.
 */
class QueueCountsTest {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  record Work(boolean fail) {}

  // One statement, one snapshot: the counters against the rows, per queue and state.
  private static final String MISMATCHES =
      """
      SELECT coalesce(k.queue, r.queue), coalesce(k.state, r.state), k.n, r.n FROM
        (SELECT queue, state, sum(n) AS n FROM %1$s.job_counts GROUP BY queue, state HAVING sum(n) <> 0) k
        FULL JOIN (SELECT queue, state, count(*) AS n FROM %1$s.jobs GROUP BY queue, state) r
        ON k.queue = r.queue AND k.state = r.state
      WHERE k.n IS DISTINCT FROM r.n\
      """;

  @Test
  void countsEqualTheRowsThroughClaimsCompletionsFailuresCancelsDeletesAndRollbacks()
      throws Exception {
    Offload node =
        Offload.builder()
            .store(PostgresStore.connect(db.url(), 6))
            .node("counter")
            .queue("default", 4)
            .queue("other", 2)
            .pollInterval(Duration.ofMillis(50))
            .register(
                "work",
                Work.class,
                (work, ctx) -> {
                  if (work.fail()) {
                    throw new IllegalStateException("failing on purpose");
                  }
                  return null;
                })
            .build();
    try {
      List<JobRequest> jobs = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        EnqueueOptions o = EnqueueOptions.none().queue(i % 3 == 0 ? "other" : "default");
        jobs.add(JobRequest.of("work", new Work(i % 10 == 0), o.maxAttempts(1)));
      }
      node.enqueueAll(jobs);
      JobId later =
          node.enqueue("work", new Work(false), EnqueueOptions.none().delay(Duration.ofHours(1)));
      JobId cancelled =
          node.enqueue("work", new Work(false), EnqueueOptions.none().delay(Duration.ofHours(1)));
      try (Connection tx = db.connect()) {
        tx.setAutoCommit(false);
        node.enqueue(tx, "work", new Work(false));
        tx.rollback();
      }
      assertNoMismatch();

      node.start();
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> {
            assertNoMismatch();
            return total(node, JobState.SUCCEEDED) + total(node, JobState.DEAD) == 600;
          });
      node.cancel(cancelled);
      node.delete(later);
      assertNoMismatch();

      Map<String, Long> shown = new TreeMap<>();
      for (QueueStats q : node.queues()) {
        for (JobState s : JobState.values()) {
          if (q.count(s) > 0) {
            shown.put(q.name() + "/" + s.wireName(), q.count(s));
          }
        }
      }
      assertThat(shown)
          .containsEntry("default/succeeded", 360L)
          .containsEntry("default/dead", 40L)
          .containsEntry("other/succeeded", 180L)
          .containsEntry("other/dead", 20L)
          .containsEntry("default/cancelled", 1L)
          .hasSize(5);
    } finally {
      node.close();
    }
    db.truncateAll();
    assertNoMismatch();
  }

  /**
   * A plain enqueue counts its job in its own statement, the insert trigger skipping it (migration
   * 010): counted once, and the mark it sets ends with it, so the next statements on the same
   * connection (a batch, a job in the caller's transaction, any insert) are counted by the trigger.
   */
  @Test
  void aSingleEnqueueCountsItselfOnceAndLeavesItsConnectionCounting() throws Exception {
    PostgresStore store = PostgresStore.connect(db.url(), 1);
    try (Offload node =
        Offload.builder().store(store).register("work", Work.class, (work, ctx) -> null).build()) {
      node.enqueue("work", new Work(false));
      node.enqueue("work", new Work(false), EnqueueOptions.none().delay(Duration.ofHours(1)));
      assertNoMismatch();
      node.enqueueAll(List.of(JobRequest.of("work", new Work(false)), JobRequest.of("work", null)));
      assertNoMismatch();
      node.enqueue("work", new Work(false));
      // The connection that enqueued (the pool hands a thread its last one): the single enqueue's
      // count row names its backend.
      try (Connection c = store.connectionOpen();
          Statement st = c.createStatement()) {
        try (ResultSet rs =
            st.executeQuery(
                "SELECT pg_backend_pid() = ALL(SELECT slot FROM %s.job_counts), current_setting('offload.insert_counted', true)"
                    .formatted(db.schema()))) {
          rs.next();
          assertThat(rs.getBoolean(1)).as("the enqueues' connection").isTrue();
          assertThat(rs.getString(2)).as("the mark, after its statement").isNotEqualTo("on");
        }
        st.execute(
            "INSERT INTO %s.jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at) VALUES ('work', 'default', 0, '{}', 1, 'available', now(), now())"
                .formatted(db.schema()));
      }
      assertNoMismatch();
      try (Connection tx = db.connect()) {
        tx.setAutoCommit(false);
        node.enqueue(tx, "work", new Work(false));
        node.enqueue(tx, "work", new Work(true));
        tx.commit();
      }
      assertNoMismatch();
      assertThat(total(node, JobState.AVAILABLE) + total(node, JobState.SCHEDULED)).isEqualTo(8);
    }
  }

  /**
   * What the dashboard's feed reads each second (the queues document: counts, claimed, last minute,
   * settings; and the newest page of jobs) costs no sequential scan of the jobs table with 50,000
   * finished rows in it, never analysed. The scan counter is read after a statement that does scan
   * it, on the same connection, so the reads' own counts have surely been reported.
   */
  @Test
  void theFeedsReadsNeverScanTheJobsTable() throws Exception {
    try (PostgresStore store = PostgresStore.connect(db.url(), 1)) {
      store.migrate();
      try (Connection c = db.connect();
          Statement st = c.createStatement()) {
        st.execute(
            """
            INSERT INTO %s.jobs (kind, queue, state, priority, args, attempt, max_attempts, run_at, created_at,
                                 started_at, finished_at)
            SELECT 'work', 'default', 'succeeded', 0, '{}', 1, 20, now(), now(), now(), now() - interval '2 minutes'
            FROM generate_series(1, 50000)\
            """
                .formatted(db.schema()));
      }
      long before = seqScans(store);
      for (int i = 0; i < 20; i++) {
        List<QueueStats> queues = store.queueStats(java.time.Instant.now());
        assertThat(queues)
            .singleElement()
            .satisfies(q -> assertThat(q.count(JobState.SUCCEEDED)).isEqualTo(50_000));
        store.queueSettingsList();
        store.jobList(JobQuery.all());
      }
      try (Connection c = store.connectionOpen();
          Statement st = c.createStatement()) {
        // The control: one sequential scan, on the connection that did the reads.
        st.execute("SET enable_indexscan = off; SET enable_bitmapscan = off");
        st.executeQuery("SELECT count(*) FROM " + db.schema() + ".jobs WHERE state = 'running'")
            .close();
        st.execute("RESET enable_indexscan; RESET enable_bitmapscan");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> seqScans(store) > before);
      assertThat(seqScans(store))
          .as("sequential scans of jobs: only the control's")
          .isEqualTo(before + 1);
    }
  }

  /** Counter rows of backends that have gone are folded into one row per queue and state. */
  @Test
  void rowsOfDepartedBackendsAreFoldedWithoutChangingTheCounts() throws Exception {
    try (PostgresStore store = PostgresStore.connect(db.url(), 1)) {
      store.migrate();
      try (Connection c = db.connect();
          Statement st = c.createStatement()) {
        // No backend has a negative pid: these stand for 400 connections long closed.
        st.execute(
            "INSERT INTO %s.job_counts (queue, state, slot, n) SELECT 'default', 'available', -g, 1 FROM generate_series(1, 400) g"
                .formatted(db.schema()));
      }
      assertThat(store.queueStats(java.time.Instant.now()))
          .singleElement()
          .satisfies(q -> assertThat(q.count(JobState.AVAILABLE)).isEqualTo(400));
      try (Connection c = db.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT count(*), sum(n) FROM %s.job_counts".formatted(db.schema()))) {
        rs.next();
        assertThat(rs.getLong(1)).as("rows left").isEqualTo(1);
        assertThat(rs.getLong(2)).isEqualTo(400);
      }
    }
  }

  private static long seqScans(PostgresStore store) throws Exception {
    try (Connection c = store.connectionOpen();
        Statement st = c.createStatement()) {
      st.execute("SELECT pg_stat_force_next_flush()");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT seq_scan FROM pg_stat_user_tables WHERE relid = '%s.jobs'::regclass"
                  .formatted(db.schema()))) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long total(Offload node, JobState state) {
    return node.queues().stream().mapToLong(q -> q.count(state)).sum();
  }

  private static void assertNoMismatch() throws Exception {
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(MISMATCHES.formatted(db.schema()))) {
      List<String> wrong = new ArrayList<>();
      while (rs.next()) {
        wrong.add(
            rs.getString(1)
                + "/"
                + rs.getString(2)
                + ": counted "
                + rs.getString(3)
                + ", rows "
                + rs.getString(4));
      }
      assertThat(wrong).as("job_counts against the rows").isEmpty();
    }
  }
}
