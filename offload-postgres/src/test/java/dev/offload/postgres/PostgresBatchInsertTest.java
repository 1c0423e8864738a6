package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job.JobState;
import dev.offload.store.Store.JobInsert;
import dev.offload.testsupport.FreshDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A batch insert sends a column once when every job shares its value and as one value per job when
 * they differ ({@link InsertColumns}): whichever way a column travels, each job is stored with its
 * own values, in order.
 */
class PostgresBatchInsertTest {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

  private PostgresStore store;

  @BeforeEach
  void open() {
    store = PostgresStore.connect(db.url(), 2);
    store.migrate();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static JobInsert job(
      String kind,
      String queue,
      int priority,
      int maxAttempts,
      Instant runAt,
      Instant createdAt,
      Long parentId,
      String retryItems,
      String idempotencyKey,
      String schedule,
      String concurrencyKey,
      String headers) {
    return new JobInsert(
        kind,
        queue,
        priority,
        "{\"kind\":\"" + kind + "\"}",
        maxAttempts,
        runAt.isAfter(NOW) ? JobState.SCHEDULED : JobState.AVAILABLE,
        runAt,
        createdAt,
        parentId,
        retryItems,
        idempotencyKey,
        schedule,
        concurrencyKey,
        null,
        null,
        false,
        headers);
  }

  /** Every column differs between the jobs: each travels as an array. */
  private static List<JobInsert> differing(String idempotencyKey) {
    return List.of(
        job("a", "q1", 0, 3, NOW, NOW, null, null, null, null, "c1", null),
        job(
            "b",
            "q2",
            1,
            4,
            NOW.plusSeconds(60),
            NOW.minusSeconds(5),
            7L,
            "[\"x\"]",
            idempotencyKey,
            "nightly",
            null,
            "{\"traceparent\":\"t\"}"),
        job("c", "q1", 2, 5, NOW.minusSeconds(1), NOW, null, null, null, null, "c2", null));
  }

  @Test
  void jobsThatDifferInEveryColumnAreEachStoredWithTheirOwnValues() throws Exception {
    List<JobInsert> jobs = differing(null);
    assertThat(stored(store.jobInsertMany(jobs))).isEqualTo(expected(jobs));
  }

  @Test
  void aBatchWithAnIdempotencyKeyStoresEachJobWithItsOwnValuesToo() throws Exception {
    List<JobInsert> jobs = differing("key-1");
    List<Long> ids = store.jobInsertMany(jobs);
    assertThat(stored(ids)).isEqualTo(expected(jobs));
    // The same batch again: the keyed job comes back as the one stored, the others are new.
    List<Long> again = store.jobInsertMany(jobs);
    assertThat(again.get(1)).isEqualTo(ids.get(1));
    assertThat(again.get(0)).isNotEqualTo(ids.get(0));
  }

  @Test
  void jobsThatShareEveryColumnButArgsAreStoredInOrder() throws Exception {
    List<JobInsert> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      jobs.add(
          new JobInsert(
              "same",
              "q",
              3,
              "{\"n\":" + i + "}",
              9,
              JobState.AVAILABLE,
              NOW,
              NOW,
              null,
              null,
              null,
              null,
              "k",
              null,
              null,
              false,
              "{\"traceparent\":\"p\"}"));
    }
    List<Long> ids = store.jobInsertMany(jobs);
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(stored(ids)).isEqualTo(expected(jobs));
  }

  @Test
  void jobsThatDifferInOneColumnOnlyAreEachStoredWithTheirOwnValues() throws Exception {
    // The batch insert takes the shared-only statement when InsertColumns.allShared says every
    // column but args is shared; a column it forgot to compare would store the first job's value
    // for all. Each column in turn is the only one that differs.
    JobInsert a = job("k", "q", 1, 3, NOW, NOW, 5L, "[\"i\"]", null, "s", "c", "{\"h\":\"1\"}");
    List<JobInsert> variants =
        List.of(
            job("k2", "q", 1, 3, NOW, NOW, 5L, "[\"i\"]", null, "s", "c", "{\"h\":\"1\"}"),
            job("k", "q2", 1, 3, NOW, NOW, 5L, "[\"i\"]", null, "s", "c", "{\"h\":\"1\"}"),
            job("k", "q", 2, 3, NOW, NOW, 5L, "[\"i\"]", null, "s", "c", "{\"h\":\"1\"}"),
            job("k", "q", 1, 4, NOW, NOW, 5L, "[\"i\"]", null, "s", "c", "{\"h\":\"1\"}"),
            job(
                "k",
                "q",
                1,
                3,
                NOW.minusSeconds(1),
                NOW,
                5L,
                "[\"i\"]",
                null,
                "s",
                "c",
                "{\"h\":\"1\"}"),
            job(
                "k",
                "q",
                1,
                3,
                NOW.plusSeconds(60),
                NOW,
                5L,
                "[\"i\"]",
                null,
                "s",
                "c",
                "{\"h\":\"1\"}"),
            job(
                "k",
                "q",
                1,
                3,
                NOW,
                NOW.minusSeconds(1),
                5L,
                "[\"i\"]",
                null,
                "s",
                "c",
                "{\"h\":\"1\"}"),
            job("k", "q", 1, 3, NOW, NOW, null, "[\"i\"]", null, "s", "c", "{\"h\":\"1\"}"),
            job("k", "q", 1, 3, NOW, NOW, 5L, "[\"j\"]", null, "s", "c", "{\"h\":\"1\"}"),
            job("k", "q", 1, 3, NOW, NOW, 5L, "[\"i\"]", null, "s2", "c", "{\"h\":\"1\"}"),
            job("k", "q", 1, 3, NOW, NOW, 5L, "[\"i\"]", null, "s", null, "{\"h\":\"1\"}"),
            job("k", "q", 1, 3, NOW, NOW, 5L, "[\"i\"]", null, "s", "c", null));
    for (JobInsert b : variants) {
      List<JobInsert> jobs = List.of(a, b, a);
      assertThat(stored(store.jobInsertMany(jobs))).isEqualTo(expected(jobs));
    }
  }

  private static List<String> expected(List<JobInsert> jobs) {
    List<String> rows = new ArrayList<>();
    for (JobInsert j : jobs) {
      rows.add(
          String.join(
              "|",
              j.kind(),
              j.queue(),
              String.valueOf(j.priority()),
              j.argsJson().replace(":", ": "),
              String.valueOf(j.maxAttempts()),
              j.state().wireName(),
              j.runAt().toString(),
              j.createdAt().toString(),
              String.valueOf(j.parentId()),
              j.retryItemsJson() == null ? "null" : j.retryItemsJson(),
              String.valueOf(j.idempotencyKey()),
              String.valueOf(j.schedule()),
              String.valueOf(j.concurrencyKey()),
              j.headersJson() == null ? "null" : j.headersJson().replace(":", ": ")));
    }
    return rows;
  }

  private List<String> stored(List<Long> ids) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.url());
        PreparedStatement ps =
            c.prepareStatement(
                """
                SELECT kind, queue, priority, args::text, max_attempts, state, run_at, created_at, parent_id,
                       retry_items::text, idempotency_key, schedule, concurrency_key, headers::text
                FROM jobs WHERE id = ?\
                """)) {
      for (long id : ids) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).as("job %d is stored", id).isTrue();
          List<String> cols = new ArrayList<>();
          for (int i = 1; i <= 14; i++) {
            cols.add(
                i == 7 || i == 8
                    ? rs.getObject(i, java.time.OffsetDateTime.class).toInstant().toString()
                    : String.valueOf(rs.getString(i)));
          }
          rows.add(String.join("|", cols));
        }
      }
    }
    return rows;
  }
}
