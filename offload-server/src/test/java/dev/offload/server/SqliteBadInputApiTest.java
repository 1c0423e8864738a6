package dev.offload.server;

import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link BadInputApiContract} over a SQLite file. */
class SqliteBadInputApiTest extends BadInputApiContract {
  @TempDir Path dir;

  @Override
  Store store() {
    return SqliteStore.open(dir.resolve("offload.db"));
  }
}
