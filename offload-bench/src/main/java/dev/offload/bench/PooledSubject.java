package dev.offload.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;

/**
 * What the peers on PostgreSQL share: a fresh schema, a HikariCP pool of threads + 2 connections
 * whose tables default to it, and a probe connection for counting; {@link #closeDatabase} closes
 * them and drops the schema.
 */
abstract class PooledSubject implements Subject {
  final String schema;
  final int threads;
  HikariDataSource pool;
  Connection probe;

  PooledSubject(String schema, int threads) {
    this.schema = schema;
    this.threads = threads;
  }

  /**
   * Creates the schema; then, after {@code tables} (which may create tables), the pool and probe.
   */
  final void openDatabase(String poolName, SqlRunnable tables) throws Exception {
    Pg.createSchema(schema);
    tables.run();
    pool = Pg.pool(schema, threads + 2, poolName);
    probe = Pg.connect(Pg.baseUrl());
  }

  final void closeDatabase() throws Exception {
    if (probe != null) {
      probe.close();
    }
    if (pool != null) {
      pool.close();
    }
    Pg.dropSchema(schema);
  }

  /** A step that may throw. */
  interface SqlRunnable {
    void run() throws Exception;
  }
}
