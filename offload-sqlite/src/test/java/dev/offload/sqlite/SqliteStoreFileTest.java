package dev.offload.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job.JobState;
import dev.offload.Offload.QueueStats;
import dev.offload.OffloadException;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.LeasedJob;
import dev.offload.store.Store.Notifier;
import dev.offload.testsupport.StoreFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to the SQLite store: its file, its schema, its in-process wake-ups. */
class SqliteStoreFileTest {
  @TempDir Path dir;

  private static JobInsert job(String queue) {
    Instant now = Instant.now();
    return StoreFixtures.job("k", queue, 0, "{}", 3, JobState.AVAILABLE, now, now);
  }

  private static String queryOne(Path file, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void openCreatesMissingDirectoriesAndTheFile() {
    Path file = dir.resolve("a/b/offload.db");
    try (SqliteStore store = SqliteStore.open(file)) {
      store.migrate();
      assertThat(Files.isRegularFile(file)).isTrue();
      assertThat(store.describe()).isEqualTo("sqlite:" + file.toAbsolutePath());
    }
  }

  @Test
  void openExistingNeverCreatesTheFileAndReadsTheSchemaVersionWithoutMigrating() throws Exception {
    Path missing = dir.resolve("typo/offload.db");
    assertThatThrownBy(() -> SqliteStore.openExisting(missing))
        .isInstanceOf(OffloadException.class)
        .hasMessageContaining("the file does not exist");
    assertThat(dir.resolve("typo")).doesNotExist();

    Path empty = Files.createFile(dir.resolve("empty.db"));
    try (SqliteStore store = SqliteStore.openExisting(empty)) {
      assertThat(store.schemaVersion().current()).isZero();
      assertThat(store.schemaVersion().upToDate()).isFalse();
    }
    assertThat(Files.size(empty)).isZero();

    Path file = dir.resolve("offload.db");
    try (SqliteStore store = SqliteStore.open(file)) {
      store.migrate();
    }
    try (SqliteStore store = SqliteStore.openExisting(file)) {
      assertThat(store.schemaVersion().upToDate()).isTrue();
    }
  }

  @Test
  void fileIsInWriteAheadLogMode() throws Exception {
    Path file = dir.resolve("offload.db");
    try (SqliteStore store = SqliteStore.open(file)) {
      store.migrate();
    }
    // journal_mode=WAL is a property of the file: another connection sees it.
    assertThat(queryOne(file, "PRAGMA journal_mode")).isEqualTo("wal");
  }

  @Test
  void migratingTwiceKeepsDataAndRecordsEachVersionOnce() throws Exception {
    Path file = dir.resolve("offload.db");
    try (SqliteStore store = SqliteStore.open(file)) {
      store.migrate();
      long id = store.jobInsertMany(List.of(job("default"))).get(0);
      store.migrate();
      assertThat(store.jobGet(id)).isPresent();
    }
    try (SqliteStore again = SqliteStore.open(file)) {
      again.migrate();
    }
    assertThat(queryOne(file, "SELECT count(*) FROM offload_migrations"))
        .isEqualTo(String.valueOf(Migrations.FILES.size()));
  }

  @Test
  void storesMigratingTheSameFileAtOnceBothSucceed() throws Exception {
    Path file = dir.resolve("offload.db");
    List<SqliteStore> stores =
        List.of(SqliteStore.open(file), SqliteStore.open(file), SqliteStore.open(file));
    ExecutorService pool = Executors.newFixedThreadPool(stores.size());
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Void>> done =
          stores.stream()
              .map(s ->
                  pool.submit(() -> {
                    go.await();
                    s.migrate();
                    return (Void) null;
                  }))
              .toList();
      go.countDown();
      for (Future<Void> f : done) {
        f.get();
      }
      assertThat(queryOne(file, "SELECT count(*) FROM offload_migrations"))
          .isEqualTo(String.valueOf(Migrations.FILES.size()));
    } finally {
      pool.shutdownNow();
      stores.forEach(SqliteStore::close);
    }
  }

  @Test
  void insertAndReleaseWakeLocalListenersOncePerQueue() {
    try (SqliteStore store = SqliteStore.open(dir.resolve("offload.db"))) {
      store.migrate();
      List<String> woken = new CopyOnWriteArrayList<>();
      store.notifier().subscribe(Notifier.INSERT, woken::add);

      List<Long> ids = store.jobInsertMany(List.of(job("a"), job("b"), job("a")));
      assertThat(woken).containsExactly("a", "b");

      woken.clear();
      Instant now = Instant.now();
      store.jobClaim(
          StoreFixtures.claim("a", List.of("k"), 10, "n", 5L, now, Duration.ofSeconds(30)));
      assertThat(
              store.jobReleaseMany(
                  List.of(new LeasedJob(ids.get(0), 5L), new LeasedJob(ids.get(2), 5L)), now))
          .isEqualTo(2);
      assertThat(woken).containsExactly("a");
      assertThat(store.supportsListenNotify()).isFalse();
    }
  }

  @Test
  void failureNamesTheOperationAndTheFile() {
    Path file = dir.resolve("offload.db");
    SqliteStore store = SqliteStore.open(file);
    store.migrate();
    store.close();
    assertThatThrownBy(() -> store.jobGet(17))
        .isInstanceOf(OffloadException.class)
        .hasMessageStartingWith("reading job 17 in sqlite:" + file.toAbsolutePath() + " failed: ");
  }

  @Test
  void cancellingARunningJobNotifiesThisJvmAndTheJobEndsCancelledUnlessItSucceeds() {
    try (SqliteStore store = SqliteStore.open(dir.resolve("offload.db"))) {
      store.migrate();
      List<String> cancels = new CopyOnWriteArrayList<>();
      store.notifier().subscribe(Notifier.CANCEL, cancels::add);
      List<Long> ids = store.jobInsertMany(List.of(job("a"), job("a")));
      Instant now = Instant.now();
      store.jobClaim(
          StoreFixtures.claim("a", List.of("k"), 10, "n", 5L, now, Duration.ofSeconds(30)));

      assertThat(store.jobCancel(ids.get(0), now)).contains(JobState.RUNNING);
      assertThat(store.jobCancel(ids.get(1), now)).contains(JobState.RUNNING);
      assertThat(cancels).containsExactly(String.valueOf(ids.get(0)), String.valueOf(ids.get(1)));
      assertThat(
              store
                  .jobHeartbeat(
                      "n",
                      ids.stream().map(id -> new LeasedJob(id, 5L)).toList(),
                      Duration.ofSeconds(60))
                  .cancelRequested())
          .containsExactlyInAnyOrderElementsOf(ids);

      Instant at = now.plusSeconds(1);
      store.jobCompleteMany(
          List.of(
              StoreFixtures.completion(
                  ids.get(0), 5L, JobState.RETRYING, at, at.plusSeconds(5), null, null, null),
              StoreFixtures.completion(
                  ids.get(1), 5L, JobState.SUCCEEDED, at, null, null, null, null)));
      assertThat(store.jobGet(ids.get(0)).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
      assertThat(store.jobGet(ids.get(0)).orElseThrow().finishedAt())
          .isEqualTo(at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
      assertThat(store.jobGet(ids.get(1)).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(store.jobCancel(ids.get(0), at)).contains(JobState.CANCELLED);
      assertThat(cancels).hasSize(2);
    }
  }

  @Test
  void snoozeGivesTheAttemptBack() {
    try (SqliteStore store = SqliteStore.open(dir.resolve("offload.db"))) {
      store.migrate();
      long id = store.jobInsertMany(List.of(job("a"))).get(0);
      Instant now = Instant.now();
      store.jobClaim(
          StoreFixtures.claim("a", List.of("k"), 1, "n", 5L, now, Duration.ofSeconds(30)));
      store.jobCompleteMany(
          List.of(
              new Completion(
                  id, 5L, JobState.RETRYING, now, now, null, null, null, null, null, true, null)));
      assertThat(store.jobGet(id).orElseThrow().attempt()).isZero();
      assertThat(store.jobGet(id).orElseThrow().finishedAt()).isNull();
    }
  }

  @Test
  void queueMediansAreComputedAsPercentileCont() {
    try (SqliteStore store = SqliteStore.open(dir.resolve("offload.db"))) {
      store.migrate();
      Instant base = Instant.parse("2030-01-01T00:00:00Z");
      long[] waits = {10, 20, 30, 40};
      long[] runs = {100, 200, 300, 1_000};
      for (int i = 0; i < waits.length; i++) {
        long id =
            store
                .jobInsertMany(
                    List.of(
                        StoreFixtures.job("k", "q", 0, "{}", 3, JobState.AVAILABLE, base, base)))
                .get(0);
        Instant started = base.plusMillis(waits[i]);
        store.jobClaim(
            StoreFixtures.claim("q", List.of("k"), 1, "n", 5L, started, Duration.ofSeconds(30)));
        // A claim leaves started_at empty; the completion carries the handler's start, as the
        // engine's
        // does for a job that ends before its start was written.
        store.jobCompleteMany(
            List.of(
                StoreFixtures.completion(
                        id,
                        5L,
                        JobState.SUCCEEDED,
                        started.plusMillis(runs[i]),
                        null,
                        null,
                        null,
                        null)
                    .startedAt(started)));
      }
      store.jobInsertMany(
          List.of(StoreFixtures.job("k", "q", 0, "{}", 3, JobState.AVAILABLE, base, base)));
      store.queuePause("idle", true);

      List<QueueStats> stats = store.queueStats(base.plusSeconds(30));
      assertThat(stats).extracting(QueueStats::name).containsExactly("idle", "q");
      assertThat(stats.get(0).paused()).isTrue();
      assertThat(stats.get(0).counts()).isEmpty();
      assertThat(stats.get(0).latencyP50Ms()).isNull();
      QueueStats q = stats.get(1);
      assertThat(q.paused()).isFalse();
      assertThat(q.count(JobState.SUCCEEDED)).isEqualTo(4);
      assertThat(q.count(JobState.AVAILABLE)).isEqualTo(1);
      assertThat(q.finishedLastMinute()).isEqualTo(4);
      assertThat(q.latencyP50Ms()).isEqualTo(25.0);
      assertThat(q.runP50Ms()).isEqualTo(250.0);
      assertThat(store.queueStats(base.plusSeconds(120)).get(1).finishedLastMinute()).isZero();
      assertThat(store.queueStats(base.plusSeconds(120)).get(1).runP50Ms()).isNull();
    }
  }

  @Test
  void migrationScriptsSplitAtLineEndingSemicolonsWithoutComments() {
    String script =
        """
        -- a comment; with a semicolon;
        CREATE TABLE a (x TEXT DEFAULT ';');
        CREATE INDEX a_x ON a (x)
          WHERE x <> '';
        """;
    assertThat(Migrations.statements(script))
        .containsExactly(
            "CREATE TABLE a (x TEXT DEFAULT ';')", "CREATE INDEX a_x ON a (x)\n  WHERE x <> ''");
  }
}
