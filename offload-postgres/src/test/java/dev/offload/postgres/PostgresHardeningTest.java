package dev.offload.postgres;

import dev.offload.testsupport.HardeningContract;
import dev.offload.store.Store;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The hardening regressions against real PostgreSQL, in a schema of this class's own. */
class PostgresHardeningTest extends HardeningContract {
  private static String schema;

  @BeforeAll
  static void createSchema() {
    TestDatabase.requireReachable();
    schema = TestDatabase.freshSchemaName(PostgresHardeningTest.class);
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (schema != null) {
      TestDatabase.drop(schema);
    }
  }

  @Override
  protected Store newStore() {
    return PostgresStore.connect(TestDatabase.urlFor(schema), 12);
  }

  @Override
  protected Connection openConnection() throws Exception {
    Connection c = TestDatabase.connect();
    try (Statement st = c.createStatement()) {
      st.execute("SET search_path TO " + schema);
    }
    return c;
  }

  @Override
  protected void truncate() throws Exception {
    try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
      st.execute("TRUNCATE " + schema + ".jobs, " + schema + ".kinds, " + schema + ".queues");
    }
  }

  @Override
  protected boolean holdsNulInJson() {
    return false;
  }
}
