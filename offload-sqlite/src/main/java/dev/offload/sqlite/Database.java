package dev.offload.sqlite;

import dev.offload.OffloadException;
import dev.offload.store.Store.RejectedWriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * The store's one connection to its file. Threads of this JVM take turns through a lock (SQLite
 * runs one writer at a time anyway, and an in-process call takes microseconds). Other processes are
 * kept out by SQLite's own locks: every write runs in {@code BEGIN IMMEDIATE}, which takes the
 * write lock up front and waits up to the busy timeout for it, so a transaction never fails halfway
 * when upgrading a read lock. When SQLite still reports busy, the whole transaction is retried a
 * few times after a short, jittered pause.
 */
final class Database implements AutoCloseable {
  static final int BUSY_TIMEOUT_MILLIS = 5_000;
  private static final int BUSY_RETRIES = 3;
  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_TOOBIG = 18;
  private static final int SQLITE_CONSTRAINT = 19;
  private static final int SQLITE_MISMATCH = 20;

  /** Work on the connection; may run more than once when a write is retried, so keep it pure. */
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final String description;
  private final Path path;
  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();

  private Database(String description, Path path, Connection connection) {
    this.description = description;
    this.path = path;
    this.connection = connection;
  }

  /** Opens {@code file}, creating it and its parent directories when missing. */
  static Database open(Path file) {
    return open(file, /* create= */ true);
  }

  /**
   * Opens {@code file} as it is: never creates it, its directories or a journal mode. A file that
   * exists was set to write-ahead logging when it was created (the mode is stored in the file).
   *
   * @throws OffloadException when the file does not exist
   */
  static Database openExisting(Path file) {
    return open(file, /* create= */ false);
  }

  private static Database open(Path file, boolean create) {
    Path path = file.toAbsolutePath().normalize();
    String description = "sqlite:" + path;
    SQLiteConfig config = new SQLiteConfig();
    if (create) {
      try {
        if (path.getParent() != null) {
          Files.createDirectories(path.getParent());
        }
      } catch (IOException e) {
        throw new OffloadException("creating the directory of " + description + " failed: " + e, e);
      }
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    } else {
      if (!Files.exists(path)) {
        throw new OffloadException("no database at " + description + ": the file does not exist");
      }
      // Without CREATE, SQLite fails rather than creates even if the file vanishes meanwhile.
      config.resetOpenMode(SQLiteOpenMode.CREATE);
    }
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.enforceForeignKeys(true);
    try {
      return new Database(description, path, config.createConnection("jdbc:sqlite:" + path));
    } catch (SQLException e) {
      throw new OffloadException("opening " + description + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * A second connection to the same file, for a transaction its caller owns; writes on it take
   * SQLite's write lock as any other process's would.
   */
  Connection connectionOpen() {
    SQLiteConfig config = new SQLiteConfig();
    config.resetOpenMode(SQLiteOpenMode.CREATE);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.enforceForeignKeys(true);
    try {
      return config.createConnection("jdbc:sqlite:" + path);
    } catch (SQLException e) {
      throw failure("opening a connection", e);
    }
  }

  /** "sqlite:" and the absolute path of the file. */
  String description() {
    return description;
  }

  /** Runs {@code work} outside a transaction: one statement, or reads that need no snapshot. */
  <T> T read(String what, Work<T> work) {
    lock.lock();
    try {
      return work.run(connection);
    } catch (SQLException e) {
      throw failure(what, e);
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction, retried while SQLite is busy. */
  <T> T write(String what, Work<T> work) {
    lock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          return inTransaction(work);
        } catch (SQLException e) {
          if (!isBusy(e) || attempt > BUSY_RETRIES) {
            throw failure(what, e);
          }
          pause(attempt, what, e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private <T> T inTransaction(Work<T> work) throws SQLException {
    execute("BEGIN IMMEDIATE");
    boolean committed = false;
    try {
      T result = work.run(connection);
      execute("COMMIT");
      committed = true;
      return result;
    } finally {
      if (!committed) {
        rollback();
      }
    }
  }

  private void execute(String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  private void rollback() {
    try {
      execute("ROLLBACK");
    } catch (SQLException e) {
      // SQLite may have rolled back already (it does on some errors); the cause is reported.
    }
  }

  private static boolean isBusy(SQLException e) {
    // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_RECOVERY) share the primary code 5.
    return e instanceof SQLiteException s && (s.getResultCode().code & 0xff) == SQLITE_BUSY;
  }

  private void pause(int attempt, String what, SQLException cause) {
    long millis = 10L * (1L << attempt) + ThreadLocalRandom.current().nextLong(10);
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure(what, cause);
    }
  }

  OffloadException failure(String what, SQLException e) {
    if (refusedData(e)) {
      return new RejectedWriteException(
          what + " failed: SQLite refused the data: " + e.getMessage(), e);
    }
    return new OffloadException(what + " in " + description + " failed: " + e.getMessage(), e);
  }

  /** A value too big, of the wrong type or against a constraint: writing it again fails again. */
  private static boolean refusedData(SQLException e) {
    if (!(e instanceof SQLiteException s)) {
      return false;
    }
    int code = s.getResultCode().code & 0xff;
    return code == SQLITE_TOOBIG
        || code == SQLITE_CONSTRAINT
        || code == SQLITE_MISMATCH
        || String.valueOf(e.getMessage()).contains("malformed JSON");
  }

  @Override
  public void close() {
    lock.lock();
    try {
      connection.close();
    } catch (SQLException e) {
      throw failure("closing", e);
    } finally {
      lock.unlock();
    }
  }
}
