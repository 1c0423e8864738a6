package dev.offload.sqlite;

import dev.offload.store.Store;
import dev.offload.testsupport.FreshDatabase;
import dev.offload.testsupport.HardeningContract;
import java.sql.Connection;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The hardening regressions on a file of this test class's own. */
class SqliteHardeningTest extends HardeningContract {
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

  @Override
  protected boolean holdsNulInJson() {
    return true;
  }
}
