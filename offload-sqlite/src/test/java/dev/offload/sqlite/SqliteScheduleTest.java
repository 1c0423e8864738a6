package dev.offload.sqlite;

import dev.offload.store.Store;
import dev.offload.testsupport.FreshDatabase;
import dev.offload.testsupport.ScheduleContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The schedule contract on a file of this test class's own, several stores sharing it. */
class SqliteScheduleTest extends ScheduleContract {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.sqlite();

  @Override
  protected Store newStore() {
    return SqliteStore.open(db.file());
  }

  @Override
  protected void truncate() throws Exception {
    db.truncateAll();
  }
}
