package dev.offload.postgres;

import dev.offload.engine.EngineServicesContract;
import dev.offload.store.Store;
import dev.offload.testsupport.FreshDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's services, stepped one pass at a time, in a PostgreSQL schema of this class's own.
 */
class PostgresEngineServicesTest extends EngineServicesContract {
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
