package dev.offload.postgres;

import dev.offload.store.Store;
import dev.offload.testsupport.FlowControlContract;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The flow-control contract against real PostgreSQL, in a schema of this class's own. */
class PostgresFlowControlTest extends FlowControlContract {
  private static String schema;

  @BeforeAll
  static void createSchema() {
    TestDatabase.requireReachable();
    schema = TestDatabase.freshSchemaName(PostgresFlowControlTest.class);
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (schema != null) {
      TestDatabase.drop(schema);
    }
  }

  @Override
  protected Store newStore() {
    return PostgresStore.connect(TestDatabase.urlFor(schema), 4);
  }

  @Override
  protected void truncate() throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "TRUNCATE "
              + schema
              + ".jobs, "
              + schema
              + ".kinds, "
              + schema
              + ".queues, "
              + schema
              + ".queue_rates, "
              + schema
              + ".queue_slots");
    }
  }
}
