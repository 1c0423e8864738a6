package dev.offload.test;

import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store;
import dev.offload.test.OffloadTest.StoreType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The database of one test's Offload, and how to get rid of it afterwards. */
abstract class TestDatabase {
  private final Store store;

  TestDatabase(Store store) {
    this.store = store;
  }

  final Store store() {
    return store;
  }

  /** Closes the store (if the Offload did not) and deletes the database. */
  final void close() {
    store.close();
    delete();
  }

  /** Deletes the database, its store closed. */
  abstract void delete();

  static TestDatabase open(StoreType type) {
    return switch (type) {
      case SQLITE -> new Sqlite();
      case POSTGRES -> {
        try {
          yield new PostgresDatabase();
        } catch (NoClassDefFoundError e) {
          throw new IllegalStateException(
              "@OffloadTest(store = POSTGRES) needs dev.offload:offload-postgres on the test class"
                  + " path",
              e);
        }
      }
    };
  }

  /** A SQLite file in a temporary directory of its own. */
  private static final class Sqlite extends TestDatabase {
    private final Path dir;

    Sqlite() {
      this(temporaryDirectory());
    }

    private Sqlite(Path dir) {
      super(SqliteStore.open(dir.resolve("offload.db")));
      this.dir = dir;
    }

    private static Path temporaryDirectory() {
      try {
        return Files.createTempDirectory("offload-test-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    void delete() {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not delete the test database in " + dir, e);
      }
    }
  }
}
