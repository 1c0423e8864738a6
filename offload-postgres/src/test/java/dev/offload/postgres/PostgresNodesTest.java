package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.OffloadException;
import dev.offload.testsupport.FreshDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What only PostgreSQL does: wake-ups across nodes, migrations in a chosen schema, leader locks.
 */
class PostgresNodesTest {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  record Note(String text) {}

  private static PostgresStore store() {
    return PostgresStore.connect(db.url(), 4);
  }

  @Test
  void insertOnOneNodeWakesAWorkerOnAnotherWithoutWaitingForItsPoll() {
    // The worker polls once a minute: only a notification can start the job within seconds.
    try (Offload worker =
            Offload.builder()
                .store(store())
                .pollInterval(Duration.ofMinutes(1))
                .register("wake.me", Note.class, (args, ctx) -> null)
                .build();
        Offload client =
            Offload.builder()
                .store(store())
                .register("wake.me", Note.class, (args, ctx) -> null)
                .build()) {
      worker.start();
      // Once the worker listens and has run a first job, it sits in its one-minute poll wait: the
      // job below can only start within seconds through a NOTIFY.
      await().atMost(Duration.ofSeconds(10)).until(() -> worker.health().notifierConnected());
      JobId first = client.enqueue("wake.me", new Note("first"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.job(first).orElseThrow().state() == JobState.SUCCEEDED);
      JobId id = client.enqueue("wake.me", new Note("hi"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.job(id).orElseThrow().state() == JobState.SUCCEEDED);
      Job job = client.job(id).orElseThrow();
      assertThat(job.node()).isEqualTo(worker.node());
      assertThat(Duration.between(job.createdAt(), job.startedAt()))
          .isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void migrationsRunOnceInTheConfiguredSchemaAndAreIdempotent() throws Exception {
    try (PostgresStore a = store();
        PostgresStore b = store()) {
      a.migrate();
      b.migrate();
      a.migrate();
    }
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT count(*), max(version) FROM " + db.schema() + ".migrations")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(Migrations.latest());
      assertThat(rs.getInt(2)).isEqualTo(Migrations.latest());
    }
  }

  @Test
  void leaderLockIsHeldByOneStoreAtATimeAndFreedWhenItCloses() {
    PostgresStore first = store();
    try (PostgresStore second = store()) {
      first.migrate();
      assertThat(first.leaderAttemptElect("a", Duration.ofSeconds(5), java.time.Instant.now()))
          .isTrue();
      assertThat(second.leaderAttemptElect("b", Duration.ofSeconds(5), java.time.Instant.now()))
          .isFalse();
      first.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> second.leaderAttemptElect("b", Duration.ofSeconds(5), java.time.Instant.now()));
      second.leaderResign("b");
    }
  }

  @Test
  void unreachableDatabaseIsOneClearError() {
    try (PostgresStore dead = PostgresStore.connect("postgresql://postgres@127.0.0.1:1/test", 1)) {
      assertThatThrownBy(dead::migrate)
          .isInstanceOf(OffloadException.class)
          .hasMessageContaining("migrating schema offload failed");
    }
  }
}
