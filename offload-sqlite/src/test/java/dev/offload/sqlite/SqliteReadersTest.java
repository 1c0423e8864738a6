package dev.offload.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.Job.JobState;
import dev.offload.OffloadException;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.Heartbeat;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.LeasedJob;
import dev.offload.testsupport.StoreFixtures;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads run on connections of their own, so a long read never holds up the writer. */
class SqliteReadersTest {
  @TempDir Path dir;

  private static JobInsert job() {
    Instant now = Instant.now();
    return StoreFixtures.job("k", "q", 0, "{}", 3, JobState.AVAILABLE, now, now);
  }

  @Test
  void heartbeatsAndCompletionsLandWhileEveryReaderIsMidRead() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    CountDownLatch release = new CountDownLatch(1);
    try (SqliteStore store = SqliteStore.open(dir.resolve("offload.db"))) {
      store.migrate();
      List<Long> ids = store.jobInsertMany(Collections.nCopies(50, job()));
      Instant now = Instant.now();
      List<ClaimedJob> claimed =
          store.jobClaim(
              StoreFixtures.claim("q", List.of("k"), 2, "n", 7L, now, Duration.ofSeconds(30)));
      assertThat(claimed).hasSize(2);

      // Every reader stops in the middle of iterating over the jobs, its read transaction open.
      CountDownLatch reading = new CountDownLatch(Database.READERS);
      List<Future<List<String>>> reads = new ArrayList<>();
      for (int i = 0; i < Database.READERS; i++) {
        reads.add(
            threads.submit(() ->
                store
                    .database()
                    .read(
                        "holding a read open",
                        c -> {
                          try (PreparedStatement ps =
                                  c.prepareStatement("SELECT state FROM offload_jobs ORDER BY id");
                              ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            reading.countDown();
                            awaitRelease(release);
                            List<String> states = new ArrayList<>();
                            while (rs.next()) {
                              states.add(rs.getString(1));
                            }
                            return states;
                          }
                        })));
      }
      assertThat(reading.await(30, TimeUnit.SECONDS)).isTrue();

      List<LeasedJob> leases = claimed.stream().map(j -> new LeasedJob(j.id(), 7L)).toList();
      Future<Heartbeat> heartbeat =
          threads.submit(() -> store.jobHeartbeat("n", leases, Duration.ofSeconds(60)));
      await().atMost(Duration.ofSeconds(10)).until(heartbeat::isDone);
      assertThat(heartbeat.get().renewed()).containsExactlyInAnyOrderElementsOf(leases);

      Instant at = Instant.now();
      Future<List<Long>> completion =
          threads.submit(() ->
              store.jobCompleteMany(
                  claimed.stream()
                      .map(j ->
                          StoreFixtures.completion(
                              j.id(), 7L, JobState.SUCCEEDED, at, null, null, null, null))
                      .toList()));
      await().atMost(Duration.ofSeconds(10)).until(completion::isDone);
      assertThat(completion.get()).hasSize(2);
      assertThat(reads).noneMatch(Future::isDone);

      release.countDown();
      for (Future<List<String>> read : reads) {
        // Each read saw the one snapshot it began with: the completions came after it.
        assertThat(read.get(30, TimeUnit.SECONDS))
            .hasSize(ids.size() - 1)
            .doesNotContain(JobState.SUCCEEDED.wireName());
      }
      // A read that begins after the commit sees it.
      for (ClaimedJob j : claimed) {
        assertThat(store.jobGet(j.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      }
    } finally {
      release.countDown();
      threads.shutdownNow();
    }
  }

  @Test
  void aReadCannotWrite() {
    try (SqliteStore store = SqliteStore.open(dir.resolve("offload.db"))) {
      store.migrate();
      assertThatThrownBy(() ->
              store
                  .database()
                  .read(
                      "writing on a reader",
                      c -> {
                        try (Statement s = c.createStatement()) {
                          return s.executeUpdate("DELETE FROM offload_jobs");
                        }
                      }))
          .isInstanceOf(OffloadException.class)
          .hasMessageContaining("readonly");
    }
  }

  private static void awaitRelease(CountDownLatch release) {
    try {
      if (!release.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the read");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
