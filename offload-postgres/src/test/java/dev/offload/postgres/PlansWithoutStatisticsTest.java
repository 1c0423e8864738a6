package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The claim and the completion keep their index plans on a table the planner knows nothing about:
 * one million pending jobs, inserted at once into a fresh schema and never analysed (this server
 * runs with {@code autovacuum = off}, as a production server may). A plan that sorts every runnable
 * row, or scans the table, would make each claim cost the whole backlog (docs/benchmarks.md,
 * "Findings": 937 ms per claim of 500). The plan's shape is asserted, never a time; custom plans
 * (the values in the plan) and generic ones (what a prepared statement may switch to) both.
 */
class PlansWithoutStatisticsTest {
  private static final int PENDING = 1_000_000;
  private static final int BATCH = 500;
  // Not FreshDatabase: it empties the tables before each test.
  private static String schema = "";
  private static Sql sql;

  @BeforeAll
  static void millionPendingNeverAnalysed() throws Exception {
    TestDatabase.requireReachable();
    schema = TestDatabase.freshSchemaName(PlansWithoutStatisticsTest.class);
    try (PostgresStore store = PostgresStore.connect(TestDatabase.urlFor(schema), 1)) {
      store.migrate();
    }
    sql = new Sql(schema, "offload_insert", "offload_job");
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      st.execute(
          """
          INSERT INTO %s.jobs (kind, queue, state, priority, args, max_attempts, run_at, created_at)
          SELECT 'noop', 'default', 'available', 0, '{}', 20, now() - interval '1 minute', now()
          FROM generate_series(1, %d)\
          """
              .formatted(schema, PENDING));
      // Claimed by one node, as a drain leaves them: running with a token.
      st.execute(
          "UPDATE %s.jobs SET state = 'running', claim_token = 7, lease_owner = 'n', lease_expires_at = now() + interval '1 minute' WHERE id <= %d"
              .formatted(schema, BATCH));
      try (ResultSet rs =
          st.executeQuery(
              "SELECT reltuples, (SELECT count(*) FROM pg_stats WHERE schemaname = '%s') FROM pg_class WHERE oid = '%s.jobs'::regclass"
                  .formatted(schema, schema))) {
        rs.next();
        assertThat(rs.getDouble(1)).as("never analysed").isEqualTo(-1);
        assertThat(rs.getLong(2)).as("no column statistics").isZero();
      }
    }
  }

  @AfterAll
  static void drop() throws Exception {
    TestDatabase.drop(schema);
  }

  @Test
  void claimReadsTheClaimIndexInOrder() throws Exception {
    for (boolean generic : new boolean[] {false, true}) {
      String plan =
          explain(
              generic,
              sql.claim,
              ps -> {
                Connection c = ps.getConnection();
                ps.setString(1, "default");
                ps.setTimestamp(2, Timestamp.from(Instant.now()));
                ps.setArray(3, c.createArrayOf("text", new Object[] {"noop"}));
                ps.setArray(4, c.createArrayOf("text", new Object[] {"noop"}));
                ps.setString(5, "default");
                ps.setBoolean(6, false);
                ps.setInt(7, BATCH);
                ps.setInt(8, BATCH);
                ps.setString(9, "node");
                ps.setLong(10, 60_000);
                ps.setLong(11, 8);
              });
      assertThat(plan)
          .as("generic plan: %s", generic)
          .contains("Index Scan using jobs_claim_idx")
          // One range per priority level: jobs not yet due end it instead of being walked.
          .containsPattern("Index Cond: .*priority = p\\.priority")
          .doesNotContain("Sort")
          .doesNotContain("Bitmap")
          .doesNotContain("Seq Scan on jobs");
    }
  }

  @Test
  void claimOfAJobJustInsertedLooksItUpByItsKey() throws Exception {
    for (boolean generic : new boolean[] {false, true}) {
      String plan =
          explain(
              generic,
              sql.claimInserted,
              ps -> {
                Connection c = ps.getConnection();
                // The parameters of PostgresStore.jobClaimInserted, in its order.
                ps.setLong(1, PENDING);
                ps.setString(2, "default");
                ps.setTimestamp(3, Timestamp.from(Instant.now()));
                ps.setArray(4, c.createArrayOf("text", new Object[] {"noop"}));
                ps.setArray(5, c.createArrayOf("text", new Object[] {"noop"}));
                ps.setString(6, "default");
                ps.setBoolean(7, false);
                ps.setString(8, "node");
                ps.setLong(9, 60_000);
                ps.setLong(10, 8);
              });
      assertThat(plan)
          .as("generic plan: %s", generic)
          .contains("Index Scan using jobs_pkey on jobs")
          // The claim index would walk the queue's runnable jobs (and dead entries) for one id.
          .doesNotContain("jobs_claim_idx")
          .doesNotContain("Seq Scan on jobs")
          .doesNotContain("Bitmap");
    }
  }

  @Test
  void completionLooksEachJobUpByItsKey() throws Exception {
    Object[] ids = new Object[BATCH];
    Object[] tokens = new Object[BATCH];
    Object[] states = new Object[BATCH];
    Object[] at = new Object[BATCH];
    Object[] none = new Object[BATCH];
    Object[] refund = new Object[BATCH];
    for (int i = 0; i < BATCH; i++) {
      ids[i] = (long) i + 1;
      tokens[i] = 7L;
      states[i] = "succeeded";
      at[i] = Instant.now().toString();
      refund[i] = false;
    }
    for (boolean generic : new boolean[] {false, true}) {
      String plan =
          explain(
              generic,
              sql.completeMany,
              ps -> {
                Connection c = ps.getConnection();
                // The parameters of PostgresStore.jobCompleteMany, in its order.
                ps.setArray(1, c.createArrayOf("int8", ids));
                ps.setArray(2, c.createArrayOf("int8", tokens));
                ps.setArray(3, c.createArrayOf("text", states));
                ps.setArray(4, c.createArrayOf("text", at));
                for (int p = 5; p <= 10; p++) {
                  ps.setArray(p, c.createArrayOf("text", none));
                }
                ps.setArray(11, c.createArrayOf("bool", refund));
                ps.setArray(12, c.createArrayOf("text", at));
              });
      assertThat(plan)
          .as("generic plan: %s", generic)
          .contains("Index Scan using jobs_pkey on jobs")
          .doesNotContain("Seq Scan on jobs")
          .doesNotContain("Bitmap");
    }
  }

  @Test
  void queueCountsReadTheCounterTableOnly() throws Exception {
    String plan = explain(false, sql.queueCounts, ps -> {});
    assertThat(plan).contains("job_counts").doesNotContain(" on jobs");
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** The plan PostgreSQL picks for {@code statement}, without running it. */
  private static String explain(boolean generic, String statement, Binder binder)
      throws SQLException {
    try (Connection c = TestDatabase.connect()) {
      try (Statement st = c.createStatement()) {
        st.execute(
            "SET plan_cache_mode = " + (generic ? "force_generic_plan" : "force_custom_plan"));
      }
      try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + statement)) {
        binder.bind(ps);
        List<String> lines = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            lines.add(rs.getString(1));
          }
        }
        String plan = String.join("\n", lines);
        assertThat(plan).as("a plan").isNotBlank();
        return plan;
      }
    }
  }
}
