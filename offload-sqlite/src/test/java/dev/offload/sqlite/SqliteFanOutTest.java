package dev.offload.sqlite;

import dev.offload.store.Store;
import dev.offload.testsupport.FanOutContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/** The fan-out and batch contract on a file of this test class's own. */
class SqliteFanOutTest extends FanOutContract {
  @TempDir static Path dir;

  private Path file() {
    return dir.resolve("offload.db");
  }

  @Override
  protected Store newStore() {
    return SqliteStore.open(file());
  }

  @Override
  protected void truncate() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM offload_jobs");
      s.execute("DELETE FROM offload_job_deps");
      s.execute("DELETE FROM offload_job_dep_groups");
      s.execute("DELETE FROM offload_workflows");
    }
  }
}
