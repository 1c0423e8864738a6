package dev.offload.sqlite;

import dev.offload.testsupport.HardeningContract;
import dev.offload.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/** The hardening regressions on a file of this test class's own. */
class SqliteHardeningTest extends HardeningContract {
  @TempDir static Path dir;

  private Path file() {
    return dir.resolve("offload.db");
  }

  @Override
  protected Store newStore() {
    return SqliteStore.open(file());
  }

  @Override
  protected Connection openConnection() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + file());
  }

  @Override
  protected void truncate() throws Exception {
    try (Connection c = openConnection(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM offload_jobs");
      s.execute("DELETE FROM offload_kinds");
      s.execute("DELETE FROM offload_leader");
      s.execute("DELETE FROM offload_queues");
    }
  }

  @Override
  protected boolean holdsNulInJson() {
    return true;
  }
}
