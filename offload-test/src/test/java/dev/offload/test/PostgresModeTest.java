package dev.offload.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.test.OffloadTest.Mode;
import dev.offload.test.OffloadTest.StoreType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

@OffloadTest(mode = Mode.INLINE, store = StoreType.POSTGRES)
class PostgresModeTest {
  record Note(String text) {}

  @OffloadSetup
  void handlers(Offload.Builder builder) {
    builder.register("notes.echo", Note.class, (args, ctx) -> args.text());
  }

  @Test
  void eachTestGetsAFreshSchemaThatIsDroppedAfterIt() throws Exception {
    String schema;
    try (TestOffload offload =
        TestOffload.create(
            Mode.INLINE,
            StoreType.POSTGRES,
            b -> b.register("notes.echo", Note.class, (args, ctx) -> args.text()))) {
      assertThat(offload.store().describe()).contains("offload_test_");
      offload.assertNothingEnqueued();
      JobId id = offload.enqueue("notes.echo", new Note("hi"));
      assertThat(offload.job(id).state()).isEqualTo(JobState.SUCCEEDED);
      schema = schemaOf(offload);
      assertThat(schemaExists(schema)).isTrue();
    }
    assertThat(schemaExists(schema)).isFalse();
  }

  @Test
  void inlineModeRunsOnPostgres(TestOffload offload) {
    assertThat(offload.run("notes.echo", new Note("on postgres"), String.class))
        .isEqualTo("on postgres");
  }

  private static String schemaOf(TestOffload offload) {
    String describe = offload.store().describe();
    int at = describe.indexOf("offload_test_");
    return describe.substring(at, at + "offload_test_".length() + 12);
  }

  private static boolean schemaExists(String schema) throws Exception {
    try (Connection c = DriverManager.getConnection(PostgresDatabase.URL);
        PreparedStatement ps =
            c.prepareStatement("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
