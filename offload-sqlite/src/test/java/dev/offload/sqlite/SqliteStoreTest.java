package dev.offload.sqlite;

import dev.offload.store.Store;
import dev.offload.testsupport.StoreContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a file of this test class's own. */
class SqliteStoreTest extends StoreContract {
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
}
