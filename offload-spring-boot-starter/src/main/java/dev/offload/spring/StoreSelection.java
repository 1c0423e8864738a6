package dev.offload.spring;

import dev.offload.postgres.PostgresStore;
import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Which store Offload uses: {@code offload.store} when set, else the DataSource (its JDBC URL says
 * PostgreSQL or SQLite), else the embedded SQLite default {@code offload.db}.
 *
 * @param store the store
 * @param joinable the DataSource whose Spring transactions enqueue joins, or null when the store is
 *     not on the application's DataSource
 * @param description what was chosen, for the start-up log line (no password)
 */
record StoreSelection(Store store, DataSource joinable, String description) {
  static final String DEFAULT_SQLITE = "sqlite:offload.db";

  static StoreSelection of(OffloadProperties props, DataSource dataSource) {
    String configured = props.getStore();
    if (configured != null && !configured.isBlank()) {
      return fromUrl(configured.trim(), props.getSchema());
    }
    if (dataSource == null) {
      return fromUrl(DEFAULT_SQLITE, props.getSchema());
    }
    String url = jdbcUrl(dataSource);
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:postgresql:")) {
      return new StoreSelection(
          PostgresStore.create(dataSource, props.getSchema()),
          dataSource,
          "PostgreSQL from the application's DataSource, schema " + props.getSchema());
    }
    if (lower.startsWith("jdbc:sqlite:")) {
      Path file = sqliteFile(url.substring("jdbc:sqlite:".length()), "the DataSource's URL");
      return new StoreSelection(
          SqliteStore.open(file), dataSource, "SQLite file " + file + " (the DataSource's)");
    }
    throw new IllegalStateException(
        "offload: the DataSource is neither PostgreSQL nor SQLite (its URL starts "
            + url.substring(0, Math.min(url.length(), 16))
            + "…): set offload.datasource to one that is, or offload.store=sqlite:PATH");
  }

  private static StoreSelection fromUrl(String url, String schema) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("sqlite:")) {
      Path file = sqliteFile(url.substring("sqlite:".length()), "offload.store");
      return new StoreSelection(SqliteStore.open(file), null, "SQLite file " + file);
    }
    if (lower.startsWith("postgresql:")
        || lower.startsWith("postgres:")
        || lower.startsWith("jdbc:postgresql:")) {
      return new StoreSelection(
          PostgresStore.connect(url), null, "PostgreSQL (offload.store), a pool of its own");
    }
    throw new IllegalStateException(
        "offload.store must be sqlite:PATH or a PostgreSQL URL (postgresql://user@host/db), got '"
            + (url.length() > 12 ? url.substring(0, 12) + "…" : url)
            + "'");
  }

  /** The file of {@code file:x.db?mode=rw}, {@code /data/x.db} or {@code x.db}. */
  private static Path sqliteFile(String spec, String where) {
    String s = spec;
    int query = s.indexOf('?');
    if (query >= 0) {
      s = s.substring(0, query);
    }
    if (s.startsWith("file:")) {
      s = s.substring("file:".length());
    }
    if (s.isBlank() || s.equals(":memory:") || s.startsWith(":resource:")) {
      throw new IllegalStateException(
          where
              + " must name an SQLite file (Offload's workers and the application share it), got '"
              + spec
              + "'");
    }
    return Path.of(s);
  }

  private static String jdbcUrl(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return c.getMetaData().getURL();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "offload: cannot open a connection from the DataSource to tell its database: "
              + e.getMessage(),
          e);
    }
  }
}
