package dev.offload.postgres;

import dev.offload.store.Store;
import dev.offload.testsupport.FreshDatabase;
import dev.offload.testsupport.StoreContract;
import java.sql.Connection;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract against real PostgreSQL, in a schema of this class's own. */
class PostgresStoreTest extends StoreContract {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  @Override
  protected Store newStore() {
    return PostgresStore.connect(db.url(), 12);
  }

  @Override
  protected Connection openConnection() throws Exception {
    return db.connect();
  }

  @Override
  protected void truncate() throws Exception {
    db.truncateAll();
  }
}
