package dev.offload.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election with a session-level advisory lock keyed by the schema. The lock lives as long as
 * the connection that took it, so a leader that dies or loses the database loses leadership at
 * once, with no expiry to wait for; the connection is checked on every attempt.
 */
final class PgLeader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgLeader.class);

  private final DataSource dataSource;
  private final String lockName;
  private Connection held;
  private String holder;

  PgLeader(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.lockName = "offload.leader:" + schema;
  }

  synchronized boolean attempt(String node) throws SQLException {
    if (held != null) {
      if (!held.isValid(2)) {
        // The session is gone, and its lock with it.
        Connection lost = held;
        held = null;
        holder = null;
        release(lost);
      } else {
        return holder.equals(node);
      }
    }
    Connection c = dataSource.getConnection();
    try {
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
        ps.setString(1, lockName);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            held = c;
            holder = node;
            return true;
          }
        }
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    c.close();
    return false;
  }

  synchronized void resign(String node) {
    if (held != null && holder.equals(node)) {
      unlockAndRelease();
    }
  }

  /**
   * Unlocks, then hands the connection back. The lock belongs to the session, not to our use of it:
   * a pooled connection returned with the lock would keep every node from leading for as long as
   * the pool keeps the session. When the unlock fails the session is ended instead.
   */
  private void unlockAndRelease() {
    Connection c = held;
    held = null;
    holder = null;
    boolean unlocked = false;
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
      ps.setString(1, lockName);
      try (ResultSet rs = ps.executeQuery()) {
        unlocked = rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      log.debug("unlocking the leader lock failed; ending its session instead", e);
    }
    try {
      if (!unlocked) {
        c.abort(Runnable::run);
      }
    } catch (SQLException e) {
      log.debug("ending the leader's session failed", e);
    }
    release(c);
  }

  private static void release(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing the leader connection failed", e);
    }
  }

  /** Gives up leadership (unlocking) and the connection. */
  @Override
  public synchronized void close() {
    if (held != null) {
      unlockAndRelease();
    }
  }
}
