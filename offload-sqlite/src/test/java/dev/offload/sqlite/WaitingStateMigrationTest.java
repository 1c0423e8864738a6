package dev.offload.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job.JobState;
import dev.offload.testsupport.StoreFixtures;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration 3 rebuilds {@code offload_jobs} to allow the {@code waiting} state (SQLite cannot alter
 * a CHECK): a file at version 2 keeps its jobs, their ids and its indexes, and ids are not reused.
 */
class WaitingStateMigrationTest {
  @TempDir Path dir;

  @Test
  void aVersionTwoFileKeepsItsJobsAndIdsWhenTheWaitingStateIsAdded() throws Exception {
    Path file = dir.resolve("offload.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute(Sql.MIGRATIONS_TABLE);
      for (String migration : List.of("001_jobs.sql", "002_schedules.sql")) {
        try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + migration)) {
          for (String statement :
              Migrations.statements(new String(in.readAllBytes(), StandardCharsets.UTF_8))) {
            s.execute(statement);
          }
        }
      }
      s.execute("INSERT INTO offload_migrations (version, applied_at) VALUES (1, 0), (2, 0)");
      for (int i = 1; i <= 3; i++) {
        s.execute(
            "INSERT INTO offload_jobs (kind, queue, state, priority, args, max_attempts, run_at, created_at, schedule)"
                + " VALUES ('k', 'default', 'succeeded', 0, '{\"n\":"
                + i
                + "}', 3, 0, 0, 'nightly')");
      }
      s.execute(
          "DELETE FROM offload_jobs WHERE id = 3"); // the sequence is at 3, the highest row is 2
    }

    try (SqliteStore store = SqliteStore.open(file)) {
      store.migrate();
      assertThat(store.jobGet(1).orElseThrow().args().get("n").asInt()).isEqualTo(1);
      assertThat(store.jobGet(2).orElseThrow().schedule()).isEqualTo("nightly");
      assertThat(store.jobGet(2).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      long next =
          store
              .jobInsertMany(
                  List.of(
                      StoreFixtures.job(
                          "k",
                          "default",
                          0,
                          "{}",
                          3,
                          JobState.AVAILABLE,
                          Instant.now(),
                          Instant.now())))
              .get(0);
      assertThat(next).as("ids are not reused").isEqualTo(4);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute(
          "UPDATE offload_jobs SET state = 'waiting' WHERE id = 4"); // the CHECK now allows it
      try (ResultSet rs =
          s.executeQuery(
              "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'offload_jobs' AND name = 'offload_jobs_claim_idx'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the indexes are rebuilt").isEqualTo(1);
      }
    }
  }
}
