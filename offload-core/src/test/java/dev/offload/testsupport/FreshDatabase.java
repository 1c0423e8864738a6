package dev.offload.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a database of its own: a fresh PostgreSQL schema on {@code
 * OFFLOAD_TEST_PG_URL} (default the local trust-auth server) or a fresh SQLite file. Before each
 * test it empties every table it finds there (the migrations' record aside), so the tests of a
 * class never see each other's rows; after the class it drops the schema or deletes the file.
 *
 * <pre>{@code
 * @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();
 * Store store = PostgresStore.connect(db.url(), 4);
 * }</pre>
 *
 * <p>When PostgreSQL cannot be reached the class is skipped on a developer's machine and fails
 * under {@code CI=true}, where PostgreSQL is required. The store creates the tables (its
 * migrations); the extension only owns the schema or file and empties what is in it.
 */
public final class FreshDatabase
    implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  /** The PostgreSQL the tests use. */
  public static final String PG_URL =
      System.getenv()
          .getOrDefault(
              "OFFLOAD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private final boolean postgres;
  private String schema;
  private Path dir;

  private FreshDatabase(boolean postgres) {
    this.postgres = postgres;
  }

  /** A schema of the test class's own on {@link #PG_URL}. */
  public static FreshDatabase postgres() {
    return new FreshDatabase(true);
  }

  /** A SQLite file of the test class's own, in a temporary directory. */
  public static FreshDatabase sqlite() {
    return new FreshDatabase(false);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (postgres) {
      requireReachable();
      schema =
          ("t_"
                  + context.getRequiredTestClass().getSimpleName()
                  + "_"
                  + UUID.randomUUID().toString().substring(0, 8))
              .toLowerCase(Locale.ROOT);
    } else {
      dir = Files.createTempDirectory("offload-test-");
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    truncateAll();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (schema != null) {
      try (Connection c = DriverManager.getConnection(PG_URL);
          Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
      schema = null;
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
      dir = null;
    }
  }

  /**
   * The JDBC URL of this database: PostgreSQL with {@code currentSchema}, or {@code
   * jdbc:sqlite:FILE}.
   */
  public String url() {
    return postgres
        ? PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema()
        : "jdbc:sqlite:" + file();
  }

  /** The PostgreSQL schema. */
  public String schema() {
    if (schema == null) {
      throw new IllegalStateException(
          "no schema: register the extension static, on a PostgreSQL test");
    }
    return schema;
  }

  /** The SQLite file (it exists once a store opened it). */
  public Path file() {
    if (dir == null) {
      throw new IllegalStateException("no file: register the extension static, on a SQLite test");
    }
    return dir.resolve("offload.db");
  }

  /** A plain JDBC connection to this database (on PostgreSQL with the schema as search path). */
  public Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(url());
    if (postgres) {
      try (Statement st = c.createStatement()) {
        st.execute("SET search_path TO " + schema());
      }
    }
    return c;
  }

  /** Empties every table of this database but the migrations' record. */
  public void truncateAll() throws SQLException {
    if (!postgres && !Files.exists(file())) {
      return;
    }
    try (Connection c = connect()) {
      List<String> tables = tables(c);
      if (tables.isEmpty()) {
        return;
      }
      try (Statement st = c.createStatement()) {
        if (postgres) {
          st.execute("TRUNCATE " + String.join(", ", tables));
        } else {
          for (String table : tables) {
            st.execute("DELETE FROM " + table);
          }
        }
      }
    }
  }

  private List<String> tables(Connection c) throws SQLException {
    String query =
        postgres
            ? "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname = ? AND tablename <> 'migrations'"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'offload_migrations'";
    List<String> tables = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(query)) {
      if (postgres) {
        ps.setString(1, schema());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
    }
    return tables;
  }

  private static void requireReachable() {
    try (Connection c = DriverManager.getConnection(PG_URL)) {
      c.isValid(2);
    } catch (SQLException e) {
      String why = "PostgreSQL at " + PG_URL + " is unreachable: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(why + " (CI=true requires it)", e);
      }
      // Deliberate: on a developer machine without PostgreSQL the SQLite suites still run.
      assumeTrue(false, why);
    }
  }
}
