package dev.offload.bench;

import dev.offload.postgres.PostgresStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The floor: plain JDBC on Offload's own table and indexes (migrated by PostgresStore), doing only
 * what any queue must: a batched insert, then per loop one claim of {@value #CLAIM_BATCH} rows
 * ({@code FOR UPDATE SKIP LOCKED}, {@code UPDATE ... RETURNING}), the no-op job inline, and one
 * batched completion ({@code UPDATE ... WHERE id = ANY(?)}). No leases, notifications, heartbeats
 * or JSON. Clients: {@code min(threads, }{@value #MAX_CLIENTS}{@code )}, since each claims a batch.
 */
final class RawSqlSubject extends PooledSubject {
  static final int CLAIM_BATCH = 100;
  static final int MAX_CLIENTS = 4;
  private final int clients;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Thread> workers = new ArrayList<>();
  private String insert;
  private String claim;
  private String complete;

  RawSqlSubject(String schema, int threads) {
    super(schema, threads);
    this.clients = Math.min(threads, MAX_CLIENTS);
  }

  @Override
  public void setUp() throws Exception {
    openDatabase(
        "raw-sql",
        () -> {
          try (PostgresStore store =
              PostgresStore.connect(Pg.withSchema(Pg.baseUrl(), schema), 2)) {
            store.migrate();
          }
        });
    String t = schema + ".jobs";
    insert =
        """
        INSERT INTO %s (kind, queue, priority, args, max_attempts, state, run_at, created_at)
        SELECT 'bench.noop', 'default', 0, a::jsonb, 20, 'available', now(), now() FROM unnest(?::text[]) AS a\
        """
            .formatted(t);
    claim =
        """
        WITH next AS (
          SELECT id FROM %1$s
          WHERE queue = 'default' AND state IN ('scheduled', 'available', 'retrying') AND run_at <= now()
          ORDER BY priority, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED
        )
        UPDATE %1$s j SET state = 'running', attempt = j.attempt + 1, started_at = now()
        FROM next WHERE j.id = next.id RETURNING j.id, j.args::text\
        """
            .formatted(t);
    complete =
        "UPDATE %s SET state = 'succeeded', finished_at = now() WHERE id = ANY(?)".formatted(t);
  }

  @Override
  public void enqueueBatch(int n, int batch) throws Exception {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(insert)) {
      for (int done = 0; done < n; done += batch) {
        String[] args = new String[Math.min(batch, n - done)];
        java.util.Arrays.fill(args, "{\"t\":-1}");
        ps.setArray(1, c.createArrayOf("text", args));
        ps.executeUpdate();
      }
    }
  }

  @Override
  public void enqueueOne(long arg) throws Exception {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(insert)) {
      ps.setArray(1, c.createArrayOf("text", new String[] {"{\"t\":" + arg + "}"}));
      ps.executeUpdate();
    }
  }

  @Override
  public void clear() throws Exception {
    try (Statement s = probe.createStatement()) {
      s.execute("TRUNCATE " + schema + ".jobs");
    }
  }

  @Override
  public void startWorkers() {
    for (int i = 0; i < clients; i++) {
      Thread t = Thread.ofPlatform().name("raw-sql-" + i).daemon().start(this::work);
      workers.add(t);
    }
  }

  private void work() {
    try (Connection c = pool.getConnection();
        PreparedStatement claimPs = c.prepareStatement(claim);
        PreparedStatement completePs = c.prepareStatement(complete)) {
      while (!stopping.get()) {
        claimPs.setInt(1, CLAIM_BATCH);
        List<Long> ids = new ArrayList<>(CLAIM_BATCH);
        try (ResultSet rs = claimPs.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
            String args = rs.getString(2);
            int colon = args.indexOf(':');
            BenchJobs.run(Long.parseLong(args.substring(colon + 1, args.length() - 1).trim()));
          }
        }
        if (ids.isEmpty()) {
          Thread.sleep(1);
          continue;
        }
        Array array = c.createArrayOf("bigint", ids.toArray());
        completePs.setArray(1, array);
        completePs.executeUpdate();
      }
    } catch (Exception e) {
      if (!stopping.get()) {
        e.printStackTrace();
      }
    }
  }

  @Override
  public long unfinished() throws Exception {
    return Pg.count(probe, "SELECT count(*) FROM " + schema + ".jobs WHERE state <> 'succeeded'");
  }

  @Override
  public boolean measuresLatency() {
    return false;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put(
        "clients",
        clients + " JDBC connections, each claim " + CLAIM_BATCH + " then complete, autocommit");
    s.put("schema", "Offload's jobs table and indexes");
    s.put("latency", "not measured (a tight 1 ms poll loop is not a queue)");
    return s;
  }

  @Override
  public void close() throws Exception {
    stopping.set(true);
    for (Thread t : workers) {
      t.join(5_000);
    }
    closeDatabase();
  }
}
