package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tables and columns {@code docs/operations.md} tells operators they may query exist in a
 * migrated PostgreSQL schema: what the document promises, the schema keeps.
 */
class DocumentedColumnsTest {
  private String schema;

  @BeforeEach
  void schema() {
    TestDatabase.requireReachable();
    schema = TestDatabase.freshSchemaName(DocumentedColumnsTest.class);
  }

  @AfterEach
  void drop() throws Exception {
    TestDatabase.drop(schema);
  }

  @Test
  void everyDocumentedColumnExists() throws Exception {
    Map<String, List<String>> documented =
        documentedColumns(Files.readString(Path.of("..", "docs", "operations.md")));
    assertThat(documented).containsKeys("jobs", "schedules", "queues", "migrations");
    try (PostgresStore store = PostgresStore.connect(TestDatabase.urlFor(schema), 1)) {
      store.migrate();
    }

    try (Connection c = TestDatabase.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?")) {
      for (Map.Entry<String, List<String>> table : documented.entrySet()) {
        for (String column : table.getValue()) {
          ps.setString(1, schema);
          ps.setString(2, table.getKey());
          ps.setString(3, column);
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next())
                .as("offload.%s.%s (docs/operations.md)", table.getKey(), column)
                .isTrue();
          }
        }
      }
    }
  }

  /** The columns docs/operations.md lists (as the SQLite store's test reads them). */
  private static Map<String, List<String>> documentedColumns(String doc) {
    Map<String, List<String>> columns = new LinkedHashMap<>();
    String section = doc.substring(doc.indexOf("## Querying with SQL"));
    String jobsTable = section.substring(section.indexOf("`offload.jobs`, one row per job:"));
    Matcher row =
        Pattern.compile("(?m)^\\| `([a-z_]+)` \\|")
            .matcher(jobsTable.substring(0, jobsTable.indexOf("\n\n", jobsTable.indexOf("| ---"))));
    List<String> jobs = new ArrayList<>();
    while (row.find()) {
      jobs.add(row.group(1));
    }
    Matcher extra = Pattern.compile("`jobs\\.([a-z_]+)`").matcher(section);
    while (extra.find()) {
      jobs.add(extra.group(1));
    }
    columns.put("jobs", jobs);
    Matcher table =
        Pattern.compile("`offload\\.([a-z_]+)`: ((?:`[a-z_]+`(?:,? )?)+)").matcher(section);
    while (table.find()) {
      List<String> names = new ArrayList<>();
      Matcher name = Pattern.compile("`([a-z_]+)`").matcher(table.group(2));
      while (name.find()) {
        names.add(name.group(1));
      }
      columns.put(table.group(1), names);
    }
    return columns;
  }
}
