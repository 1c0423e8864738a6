package dev.offload.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.offload.store.Store.Notifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTEN/NOTIFY across every node of a database. One connection listens on the channels of all
 * subscribed topics ({@code <schema>.<topic>}); a platform thread waits on it and hands payloads to
 * listeners. When the connection breaks it reconnects with backoff and logs once per outage;
 * meanwhile workers fall back to polling, so a missed notification costs latency, not jobs.
 *
 * <p>A listening connection only reads, so a connection that silently died (a half-open TCP
 * connection after a network fault, a server that vanished without closing it) would look like a
 * quiet one forever. The listener therefore pings it every {@code validateEvery} (default {@value
 * #VALIDATE_EVERY_MILLIS} ms) with a round trip bounded by {@value #VALIDATE_TIMEOUT_SECONDS} s,
 * and replaces it when the ping fails.
 */
final class PgNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger(PgNotifier.class);
  static final long VALIDATE_EVERY_MILLIS = 5_000;
  static final int VALIDATE_TIMEOUT_SECONDS = 2;
  private static final int NETWORK_TIMEOUT_MILLIS = 10_000;

  private final DataSource dataSource;
  private final String schema;
  private final String description;
  private final long validateEveryNanos;
  private volatile int connections;
  private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile boolean resubscribe;
  private volatile boolean listening;
  private Thread thread;

  PgNotifier(DataSource dataSource, String schema, String description) {
    this(dataSource, schema, description, Duration.ofMillis(VALIDATE_EVERY_MILLIS));
  }

  PgNotifier(DataSource dataSource, String schema, String description, Duration validateEvery) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.description = description;
    this.validateEveryNanos = validateEvery.toNanos();
  }

  /** How many listening connections were opened so far (tests watch reconnections). */
  int connectionsOpened() {
    return connections;
  }

  private String channel(String topic) {
    return schema + "." + topic;
  }

  @Override
  public synchronized AutoCloseable subscribe(String topic, Consumer<String> listener) {
    List<Consumer<String>> list =
        listeners.computeIfAbsent(channel(topic), t -> new CopyOnWriteArrayList<>());
    list.add(listener);
    resubscribe = true;
    if (thread == null) {
      thread = Thread.ofPlatform().daemon().name("offload-pg-listener").start(this::listen);
    }
    return () -> list.remove(listener);
  }

  /** True until the first subscription, then whether the listening connection is up. */
  @Override
  public synchronized boolean connected() {
    return thread == null || listening;
  }

  @Override
  public void publish(String topic, String payload) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      c.setAutoCommit(true);
      ps.setString(1, channel(topic));
      ps.setString(2, payload);
      ps.execute();
    } catch (SQLException e) {
      log.debug("NOTIFY on {} failed", topic, e);
    }
  }

  private void listen() {
    long backoff = 100;
    boolean down = false;
    while (!closed) {
      Connection c = null;
      try {
        c = dataSource.getConnection();
        c.setAutoCommit(true);
        // Bounds every round trip (LISTEN, the ping) should the connection stop answering.
        c.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
        PGConnection pg = c.unwrap(PGConnection.class);
        connections++;
        resubscribe = true;
        if (down) {
          log.info("listening for notifications on {} again", description);
          down = false;
        }
        backoff = 100;
        long validated = System.nanoTime();
        while (!closed) {
          if (resubscribe) {
            resubscribe = false;
            try (Statement st = c.createStatement()) {
              for (String channel : listeners.keySet()) {
                st.execute("LISTEN \"" + channel + "\"");
              }
            }
          }
          if (System.nanoTime() - validated >= validateEveryNanos) {
            if (!c.isValid(VALIDATE_TIMEOUT_SECONDS)) {
              throw new SQLException(
                  "the connection did not answer a ping within " + VALIDATE_TIMEOUT_SECONDS + " s");
            }
            validated = System.nanoTime();
          }
          listening = true;
          PGNotification[] notes = pg.getNotifications(500);
          if (notes == null) {
            continue;
          }
          for (PGNotification n : notes) {
            for (Consumer<String> l : listeners.getOrDefault(n.getName(), List.of())) {
              try {
                l.accept(n.getParameter());
              } catch (RuntimeException e) {
                log.warn("notification listener for {} failed", n.getName(), e);
              }
            }
          }
        }
        c.close();
      } catch (SQLException e) {
        discard(c);
        listening = false;
        if (closed) {
          return;
        }
        if (!down) {
          log.warn(
              "lost the notification connection to {}, polling until it is back: {}",
              description,
              e.getMessage());
          down = true;
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(5_000, backoff * 2);
      }
    }
  }

  /**
   * Drops a listening connection that failed. A pool's connection is evicted rather than returned,
   * so no one else borrows a connection that stopped answering.
   */
  private void discard(Connection c) {
    if (c == null) {
      return;
    }
    try {
      if (dataSource instanceof HikariDataSource pool) {
        pool.evictConnection(c);
      } else {
        c.close();
      }
    } catch (SQLException | RuntimeException e) {
      log.debug("closing the failed notification connection failed", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
