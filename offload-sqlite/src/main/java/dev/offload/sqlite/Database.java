package dev.offload.sqlite;

import dev.offload.OffloadException;
import dev.offload.store.Store.RejectedWriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * The store's connections to its file: one writer and {@value #READERS} readers, each behind a lock
 * of its own, so that threads of this JVM take turns per connection. Writes take turns on the
 * writer (SQLite runs one writer at a time anyway, and an in-process call takes microseconds).
 * Reads run on a reader in a read transaction of their own: in write-ahead-log mode a reader sees
 * what was committed when its transaction began and neither waits for the writer nor holds it up,
 * so a slow dashboard query never delays a heartbeat or a completion. Reads that belong to a write
 * run on the writer, inside its transaction. Other processes are kept out by SQLite's own locks:
 * every write runs in {@code BEGIN IMMEDIATE}, which takes the write lock up front and waits up to
 * the busy timeout for it, so a transaction never fails halfway when upgrading a read lock. When
 * SQLite still reports busy, the whole transaction is retried a few times after a short, jittered
 * pause.
 */
final class Database implements AutoCloseable {
  static final int BUSY_TIMEOUT_MILLIS = 5_000;
  private static final int BUSY_RETRIES = 3;
  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_TOOBIG = 18;
  private static final int SQLITE_CONSTRAINT = 19;
  private static final int SQLITE_MISMATCH = 20;
  static final int READERS = 2;

  /** Work on the connection; may run more than once when a write is retried, so keep it pure. */
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final String description;
  private final Path path;
  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Reader> readers;
  private final AtomicInteger nextReader = new AtomicInteger();

  /** A read-only connection and the lock its users take turns through. */
  private record Reader(Connection connection, ReentrantLock lock) {}

  private Database(String description, Path path, Connection connection, List<Reader> readers) {
    this.description = description;
    this.path = path;
    this.connection = connection;
    this.readers = readers;
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
    configure(config);
    Connection writer;
    try {
      writer = config.createConnection("jdbc:sqlite:" + path);
    } catch (SQLException e) {
      throw new OffloadException("opening " + description + " failed: " + e.getMessage(), e);
    }
    // Opened after the writer, which made the file and set write-ahead logging.
    List<Reader> readers = new ArrayList<>(READERS);
    try {
      for (int i = 0; i < READERS; i++) {
        readers.add(new Reader(connect(path, /* queryOnly= */ true), new ReentrantLock()));
      }
    } catch (SQLException e) {
      closeQuietly(writer);
      readers.forEach(r -> closeQuietly(r.connection()));
      throw new OffloadException("opening " + description + " failed: " + e.getMessage(), e);
    }
    return new Database(description, path, writer, readers);
  }

  private static void configure(SQLiteConfig config) {
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.enforceForeignKeys(true);
  }

  /** A further connection to the existing file; {@code queryOnly} makes SQLite refuse writes. */
  private static Connection connect(Path path, boolean queryOnly) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.resetOpenMode(SQLiteOpenMode.CREATE);
    configure(config);
    Connection c = config.createConnection("jdbc:sqlite:" + path);
    if (queryOnly) {
      try {
        execute(c, "PRAGMA query_only = 1");
      } catch (SQLException e) {
        closeQuietly(c);
        throw e;
      }
    }
    return c;
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // Already failing to open; the first cause is reported.
    }
  }

  /**
   * A second connection to the same file, for a transaction its caller owns; writes on it take
   * SQLite's write lock as any other process's would.
   */
  Connection connectionOpen() {
    try {
      return connect(path, /* queryOnly= */ false);
    } catch (SQLException e) {
      throw failure("opening a connection", e);
    }
  }

  /** "sqlite:" and the absolute path of the file. */
  String description() {
    return description;
  }

  /**
   * Runs {@code work} on a reader, in one read transaction: it sees everything committed before it
   * began (so a caller reads its own committed writes), waits for no writer and holds none up. It
   * takes a free reader, or waits its turn on one when all are busy.
   */
  <T> T read(String what, Work<T> work) {
    Reader reader = readerLocked();
    try {
      return inTransaction(reader.connection(), "BEGIN", work);
    } catch (SQLException e) {
      throw failure(what, e);
    } finally {
      reader.lock().unlock();
    }
  }

  private Reader readerLocked() {
    int first = Math.floorMod(nextReader.getAndIncrement(), readers.size());
    for (int i = 0; i < readers.size(); i++) {
      Reader reader = readers.get((first + i) % readers.size());
      if (reader.lock().tryLock()) {
        return reader;
      }
    }
    Reader reader = readers.get(first);
    reader.lock().lock();
    return reader;
  }

  /** Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction, retried while SQLite is busy. */
  <T> T write(String what, Work<T> work) {
    lock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          return inTransaction(connection, "BEGIN IMMEDIATE", work);
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

  private static <T> T inTransaction(Connection c, String begin, Work<T> work) throws SQLException {
    execute(c, begin);
    boolean committed = false;
    try {
      T result = work.run(c);
      execute(c, "COMMIT");
      committed = true;
      return result;
    } finally {
      if (!committed) {
        rollback(c);
      }
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static void rollback(Connection c) {
    try {
      execute(c, "ROLLBACK");
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
    for (Reader reader : readers) {
      reader.lock().lock();
      try {
        reader.connection().close();
      } catch (SQLException e) {
        throw failure("closing", e);
      } finally {
        reader.lock().unlock();
      }
    }
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
