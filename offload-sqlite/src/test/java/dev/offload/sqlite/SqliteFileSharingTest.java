package dev.offload.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job.JobState;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.JobInsert;
import dev.offload.testsupport.StoreFixtures;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several stores on one file, as several processes would have: each has its own connection, so only
 * SQLite's file locks keep them apart.
 */
class SqliteFileSharingTest {
  @TempDir Path dir;
  private Path file;
  private SqliteStore first;
  private SqliteStore second;

  @BeforeEach
  void open() {
    file = dir.resolve("shared.db");
    first = SqliteStore.open(file);
    second = SqliteStore.open(file);
    first.migrate();
  }

  @AfterEach
  void close() {
    first.close();
    second.close();
  }

  private static JobInsert job() {
    Instant now = Instant.now();
    return StoreFixtures.job("k", "default", 0, "{}", 3, JobState.AVAILABLE, now, now);
  }

  @Test
  void twoStoresOnOneFileClaimEveryJobExactlyOnce() throws Exception {
    int jobs = 2_000;
    List<JobInsert> inserts = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      inserts.add(job());
    }
    List<Long> inserted = first.jobInsertMany(inserts);

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        SqliteStore store = t % 2 == 0 ? first : second;
        long token = t + 1;
        results.add(
            pool.submit(() -> {
              go.await();
              List<Long> mine = new ArrayList<>();
              while (true) {
                Instant now = Instant.now();
                List<ClaimedJob> got =
                    store.jobClaim(
                        StoreFixtures.claim(
                            "default",
                            List.of("k"),
                            13,
                            "node-" + token,
                            token,
                            now,
                            Duration.ofSeconds(30)));
                if (got.isEmpty()) {
                  return mine;
                }
                got.forEach(j -> mine.add(j.id()));
              }
            }));
      }
      go.countDown();
      List<Long> claimed = new ArrayList<>();
      for (Future<List<Long>> f : results) {
        claimed.addAll(f.get());
      }
      assertThat(claimed)
          .hasSize(jobs)
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(inserted);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void writeWaitsForAnotherProcessesTransactionInsteadOfFailing() throws Exception {
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      s.execute(
          "INSERT INTO offload_kinds (kind, announced_at) VALUES ('from-the-other-process', 0)");

      CompletableFuture<List<Long>> insert =
          CompletableFuture.supplyAsync(() -> second.jobInsertMany(List.of(job())));
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> !insert.isDone());

      s.execute("COMMIT");
      List<Long> ids = insert.get();
      assertThat(ids).hasSize(1);
      assertThat(first.jobGet(ids.get(0))).isPresent();
      assertThat(first.kindKnown("from-the-other-process")).isTrue();
    }
  }

  @Test
  void readsDoNotWaitForAnotherProcessesWrite() throws Exception {
    long id = first.jobInsertMany(List.of(job())).get(0);
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      s.execute("UPDATE offload_jobs SET priority = 9");
      // Write-ahead logging: the reader sees the last committed state at once.
      assertThat(second.jobGet(id).orElseThrow().priority()).isZero();
      s.execute("ROLLBACK");
    }
  }

  @Test
  void leadershipIsExclusiveAcrossStores() {
    Instant now = Instant.now();
    assertThat(first.leaderAttemptElect("a", Duration.ofSeconds(30), now)).isTrue();
    assertThat(second.leaderAttemptElect("b", Duration.ofSeconds(30), now)).isFalse();
    assertThat(second.leaderAttemptElect("b", Duration.ofSeconds(30), now.plusSeconds(31)))
        .isTrue();
    assertThat(first.leaderAttemptElect("a", Duration.ofSeconds(30), now.plusSeconds(32)))
        .isFalse();
  }
}
