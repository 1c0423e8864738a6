package dev.offload.sqlite;

import dev.offload.engine.EngineServicesContract;
import dev.offload.store.Store;
import dev.offload.testsupport.FreshDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The engine's services, stepped one pass at a time, on a SQLite file of this class's own. */
class SqliteEngineServicesTest extends EngineServicesContract {
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
