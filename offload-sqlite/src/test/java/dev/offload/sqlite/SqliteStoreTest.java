package dev.offload.sqlite;

import dev.offload.store.Store;
import dev.offload.testsupport.FreshDatabase;
import dev.offload.testsupport.StoreContract;
import java.sql.Connection;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on a file of this test class's own. */
class SqliteStoreTest extends StoreContract {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.sqlite();

  @Override
  protected Store newStore() {
    return SqliteStore.open(db.file());
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
