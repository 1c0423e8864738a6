package dev.offload.sqlite;

import dev.offload.store.Store;
import dev.offload.testsupport.FlowControlContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/** The flow-control contract on a file of this test class's own. */
class SqliteFlowControlTest extends FlowControlContract {
  @TempDir static Path dir;

  @Override
  protected Store newStore() {
    return SqliteStore.open(dir.resolve("offload.db"));
  }

  @Override
  protected void truncate() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("offload.db"));
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM offload_jobs");
      s.execute("DELETE FROM offload_kinds");
      s.execute("DELETE FROM offload_queues");
      s.execute("DELETE FROM offload_queue_rates");
      s.execute("DELETE FROM offload_queue_slots");
    }
  }
}
