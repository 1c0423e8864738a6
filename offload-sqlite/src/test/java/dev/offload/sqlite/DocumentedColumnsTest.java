package dev.offload.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tables and columns {@code docs/operations.md} tells operators they may query exist in a
 * migrated SQLite store (as {@code offload_<table>}): what the document promises, the schema keeps.
 */
class DocumentedColumnsTest {
  @TempDir Path dir;

  @Test
  void everyDocumentedColumnExists() throws Exception {
    Map<String, List<String>> documented =
        documentedColumns(Files.readString(Path.of("..", "docs", "operations.md")));
    assertThat(documented).containsKeys("jobs", "schedules", "queues", "migrations");
    assertThat(documented.get("jobs"))
        .contains("id", "kind", "queue", "state", "attempt", "schedule");
    Path file = dir.resolve("offload.db");
    try (SqliteStore store = SqliteStore.open(file)) {
      store.migrate();
    }

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      documented.forEach((table, columns) -> {
        if (table.equals("migrations")) {
          return; // SQLite records version and applied_at only; the document says so
        }
        if (table.equals("job_counts")) {
          return; // PostgreSQL only (SQLite counts with GROUP BY); the document says so
        }
        for (String column : columns) {
          try (ResultSet rs = c.getMetaData().getColumns(null, null, "offload_" + table, column)) {
            assertThat(rs.next()).as("offload_%s.%s (docs/operations.md)", table, column).isTrue();
          } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
          }
        }
      });
    }
  }

  /**
   * The columns docs/operations.md lists: the rows of the {@code offload.jobs} table ({@code |
   * `column` | type | meaning |}), and the sentences {@code `offload.T`: `a`, `b`} and {@code
   * `jobs.c`}.
   */
  static Map<String, List<String>> documentedColumns(String doc) {
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
