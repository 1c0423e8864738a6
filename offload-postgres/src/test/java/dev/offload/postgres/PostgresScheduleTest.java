package dev.offload.postgres;

import dev.offload.store.Store;
import dev.offload.testsupport.FreshDatabase;
import dev.offload.testsupport.ScheduleContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The schedule contract against real PostgreSQL, in a schema of this class's own. */
class PostgresScheduleTest extends ScheduleContract {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  @Override
  protected Store newStore() {
    return PostgresStore.connect(db.url(), 4);
  }

  @Override
  protected void truncate() throws Exception {
    db.truncateAll();
  }
}
