package dev.offload.demo;

import dev.offload.demo.DemoUpstream.Order;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The demo web app's own database, apart from Offload's store: a SQLite file (by default {@code
 * offload-demo-orders.db} next to the store) with the orders fetched from the upstream ({@code
 * staged_orders}, as they came), the orders imported ({@code orders}, valid ones only) and the
 * demo's runs ({@code demo_runs}: which sync job a run started and how many emails it sent).
 *
 * <p>Every write is an upsert keyed by order id, so a job that resumes from a checkpoint, or runs a
 * page twice, never counts an order twice. Thread-safe: calls take turns on one connection.
 */
final class DemoOrders implements AutoCloseable {
  /** One run of {@code offload demo}: the sync job it enqueued, its orders and its emails. */
  record Run(long id, Instant startedAt, long syncJob, int orders, int emails) {}

  private static final String SCHEMA =
      """
      CREATE TABLE IF NOT EXISTS staged_orders (
        id TEXT PRIMARY KEY, customer TEXT, month TEXT, amount_cents INTEGER);
      CREATE TABLE IF NOT EXISTS orders (
        id TEXT PRIMARY KEY, customer TEXT NOT NULL, month TEXT NOT NULL, amount_cents INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS orders_month ON orders (month);
      CREATE TABLE IF NOT EXISTS demo_runs (
        id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, sync_job INTEGER NOT NULL,
        orders INTEGER NOT NULL, emails INTEGER NOT NULL);
      """;

  private final Path file;
  private final Connection c;

  private DemoOrders(Path file, Connection c) {
    this.file = file;
    this.c = c;
  }

  /** Opens (creating when missing) the database file. */
  static DemoOrders open(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("PRAGMA busy_timeout=5000");
        for (String ddl : SCHEMA.split(";")) {
          if (!ddl.isBlank()) {
            s.execute(ddl);
          }
        }
      }
      return new DemoOrders(file, c);
    } catch (SQLException | java.io.IOException e) {
      throw new IllegalStateException(
          "cannot open the demo's database " + file + ": " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  // ---------------------------------------------------------------- runs

  synchronized Run recordRun(long syncJob, int orders, int emails) {
    Instant now = Instant.now();
    return tx(() -> {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO demo_runs (started_at, sync_job, orders, emails) VALUES (?, ?, ?, ?) RETURNING id")) {
        ps.setLong(1, now.toEpochMilli());
        ps.setLong(2, syncJob);
        ps.setInt(3, orders);
        ps.setInt(4, emails);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Run(rs.getLong(1), now, syncJob, orders, emails);
        }
      }
    });
  }

  synchronized Optional<Run> latestRun() {
    return query(
        "SELECT id, started_at, sync_job, orders, emails FROM demo_runs ORDER BY id DESC LIMIT 1",
        rs ->
            rs.next()
                ? Optional.of(
                    new Run(
                        rs.getLong(1),
                        Instant.ofEpochMilli(rs.getLong(2)),
                        rs.getLong(3),
                        rs.getInt(4),
                        rs.getInt(5)))
                : Optional.<Run>empty());
  }

  /** Forgets every order, for a fresh run; the runs stay. */
  synchronized void clearOrders() {
    tx(() -> {
      try (Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM staged_orders");
        s.executeUpdate("DELETE FROM orders");
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- orders

  /** Keeps orders as fetched, valid or not, replacing earlier copies. */
  synchronized void stage(List<Order> orders) {
    upsert("staged_orders", orders);
  }

  synchronized long stagedCount() {
    return query("SELECT count(*) FROM staged_orders", rs -> rs.next() ? rs.getLong(1) : 0L);
  }

  /**
   * Up to {@code limit} staged orders with ids after {@code afterId} (null: from the first), by id.
   */
  synchronized List<Order> stagedAfter(String afterId, int limit) {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, customer, month, amount_cents FROM staged_orders WHERE id > ? ORDER BY id LIMIT ?")) {
      ps.setString(1, afterId == null ? "" : afterId);
      ps.setInt(2, limit);
      List<Order> out = new ArrayList<>(limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long amount = rs.getLong(4);
          Long amountCents = rs.wasNull() ? null : amount;
          out.add(new Order(rs.getString(1), rs.getString(2), rs.getString(3), amountCents));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failed("reading staged orders", e);
    }
  }

  /** Imports valid orders, replacing earlier copies. */
  synchronized void importOrders(List<Order> orders) {
    upsert("orders", orders);
  }

  /**
   * The imported orders per month of {@code year}, in month order (months without orders left out).
   */
  synchronized List<MonthTotal> monthTotals(int year) {
    try (PreparedStatement ps =
        c.prepareStatement(
            """
            SELECT month, count(*), sum(amount_cents) FROM orders
            WHERE month >= ? AND month < ? GROUP BY month ORDER BY month\
            """)) {
      ps.setString(1, year + "-");
      ps.setString(2, (year + 1) + "-");
      List<MonthTotal> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new MonthTotal(rs.getString(1), rs.getLong(2), rs.getLong(3)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failed("adding up orders", e);
    }
  }

  /** The imported orders of one month ({@code 2024-03}). */
  synchronized MonthTotal monthTotal(String month) {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*), coalesce(sum(amount_cents), 0) FROM orders WHERE month = ?")) {
      ps.setString(1, month);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new MonthTotal(month, rs.getLong(1), rs.getLong(2));
      }
    } catch (SQLException e) {
      throw failed("adding up the orders of " + month, e);
    }
  }

  synchronized long orderCount() {
    return query("SELECT count(*) FROM orders", rs -> rs.next() ? rs.getLong(1) : 0L);
  }

  @Override
  public synchronized void close() {
    try {
      c.close();
    } catch (SQLException e) {
      // closing a read-mostly file: nothing left to lose
    }
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * Inserts {@code orders} into {@code table} (one of this class's own), replacing earlier copies.
   */
  private void upsert(String table, List<Order> orders) {
    if (orders.isEmpty()) {
      return;
    }
    String sql =
        """
        INSERT INTO %s (id, customer, month, amount_cents) VALUES (?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET customer = excluded.customer, month = excluded.month,
          amount_cents = excluded.amount_cents\
        """
            .formatted(table);
    tx(() -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (Order o : orders) {
          ps.setString(1, o.id());
          ps.setString(2, o.customer());
          ps.setString(3, o.month());
          if (o.amountCents() == null) {
            ps.setNull(4, Types.INTEGER);
          } else {
            ps.setLong(4, o.amountCents());
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  private interface RowsReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> T tx(SqlWork<T> work) {
    try {
      c.setAutoCommit(false);
      try {
        T result = work.run();
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failed("writing", e);
    }
  }

  private <T> T query(String sql, RowsReader<T> reader) {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return reader.read(rs);
    } catch (SQLException e) {
      throw failed("reading", e);
    }
  }

  private IllegalStateException failed(String what, SQLException e) {
    return new IllegalStateException(
        "the demo's database " + file + " failed " + what + ": " + e.getMessage(), e);
  }
}
