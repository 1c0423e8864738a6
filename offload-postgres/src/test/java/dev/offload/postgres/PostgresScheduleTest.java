package dev.offload.postgres;

import dev.offload.testsupport.ScheduleContract;
import dev.offload.store.Store;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The schedule contract against real PostgreSQL, in a schema of this class's own. */
class PostgresScheduleTest extends ScheduleContract {
  private static String schema;

  @BeforeAll
  static void createSchema() {
    TestDatabase.requireReachable();
    schema = TestDatabase.freshSchemaName(PostgresScheduleTest.class);
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
    try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
      st.execute("TRUNCATE " + schema + ".jobs, " + schema + ".schedules");
    }
  }
}
