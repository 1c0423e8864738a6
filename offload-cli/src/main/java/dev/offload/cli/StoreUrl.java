package dev.offload.cli;

import dev.offload.internal.Redact;
import dev.offload.postgres.PostgresStore;
import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The value of {@code --store}: {@code sqlite:PATH} or a PostgreSQL URL ({@code postgresql://},
 * {@code postgres://} or {@code jdbc:postgresql://}).
 */
record StoreUrl(String text, Path sqlitePath) {
  /** How long a command waits for PostgreSQL to answer before it says it cannot reach it. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  static final String FORMS =
      "sqlite:PATH, postgresql://user@host:port/db, postgres://... or jdbc:postgresql://host:port/db?user=...";

  /**
   * Parses {@code text} without touching any database.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  static StoreUrl parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.startsWith("sqlite:")) {
      String path = t.substring("sqlite:".length());
      if (path.isBlank()) {
        throw new IllegalArgumentException(
            "'" + text + "' names no file (expected sqlite:PATH, e.g. sqlite:offload.db)");
      }
      try {
        return new StoreUrl(t, Path.of(path));
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException("'" + text + "' is not a valid path: " + e.getReason());
      }
    }
    if (t.startsWith("postgresql://")
        || t.startsWith("postgres://")
        || t.startsWith("jdbc:postgresql://")) {
      return new StoreUrl(t, null);
    }
    throw new IllegalArgumentException(
        "'" + Redact.url(text) + "' is not a store URL (expected " + FORMS + ")");
  }

  /** The URL as it may be printed: without its password. */
  String display() {
    return Redact.url(text);
  }

  /**
   * Opens the store, creating a missing SQLite file; a PostgreSQL store connects lazily, on first
   * use.
   *
   * @throws CliError for a PostgreSQL URL that parses but cannot be used (exit 2)
   * @throws dev.offload.OffloadException when the SQLite file cannot be created or opened
   */
  Store open() {
    if (sqlitePath != null) {
      return SqliteStore.open(sqlitePath);
    }
    return openPostgres();
  }

  /**
   * Opens the store without creating anything: a missing SQLite file is a failure (exit 1) that
   * says how to create it.
   */
  Store openExisting() {
    if (sqlitePath != null) {
      if (!java.nio.file.Files.exists(sqlitePath)) {
        throw CliError.failure(
            "no store at sqlite:"
                + sqlitePath.toAbsolutePath().normalize()
                + ": the file does not exist (a mistyped path? 'offload migrate --store "
                + text
                + "' creates it)",
            null);
      }
      return SqliteStore.openExisting(sqlitePath);
    }
    return openPostgres();
  }

  private Store openPostgres() {
    try {
      // A command reports a silent or unreachable server within a few seconds, naming it.
      return PostgresStore.connect(text, 10, CONNECT_TIMEOUT);
    } catch (IllegalArgumentException e) {
      throw CliError.usage("--store: " + e.getMessage(), e);
    }
  }

  /** For picocli, so a malformed {@code --store} is a usage error naming the option. */
  static final class Converter extends Converters.Parsing<StoreUrl> {
    Converter() {
      super(StoreUrl::parse);
    }
  }
}
