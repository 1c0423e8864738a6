package dev.offload.sqlite;

/**
 * Every statement of the SQLite store, complete. Lists (kinds, ids) are passed as one JSON array
 * and read with {@code json_each}, so one statement serves a list of any size without SQLite's
 * limit on bound variables. {@code ?N} parameters are numbered where a value is used twice.
 */
final class Sql {
  private Sql() {}

  static final String JOB_COLUMNS = """
      id, kind, queue, state, priority, args, attempt, max_attempts, run_at, created_at,
      started_at, finished_at, lease_owner, errors, result, progress, checkpoint, failed_items, parent_id""";

  /** One row; run once per job with a reused statement, which in-process SQLite makes cheap. */
  static final String INSERT = """
      INSERT INTO offload_jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at, parent_id, retry_items)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      RETURNING id""";

  // Runs in a BEGIN IMMEDIATE transaction: the write lock is taken before the SELECT reads, so no
  // other connection or process can claim the same rows in between (SQLite has one writer at a
  // time; it needs no SKIP LOCKED). RETURNING yields rows in no particular order: the store sorts.
  static final String CLAIM = """
      UPDATE offload_jobs
      SET state = 'running', attempt = attempt + 1, lease_owner = ?1, lease_expires_at = ?2,
          claim_token = ?3, started_at = ?4
      WHERE id IN (
        SELECT id FROM offload_jobs
        WHERE queue = ?5 AND state IN ('scheduled', 'available', 'retrying') AND run_at <= ?4
          AND kind IN (SELECT value FROM json_each(?6))
        ORDER BY priority, run_at, id
        LIMIT ?7
      )
      RETURNING id, kind, queue, args, attempt, max_attempts, priority, checkpoint, failed_items, retry_items, run_at""";

  // lease_owner stays, so a finished job shows the node that ran its last attempt.
  static final String COMPLETE = """
      UPDATE offload_jobs
      SET state = ?1,
          finished_at = ?2,
          run_at = COALESCE(?3, run_at),
          result = COALESCE(?4, result),
          errors = CASE WHEN ?5 IS NULL THEN errors ELSE json_insert(errors, '$[#]', json(?5)) END,
          progress = COALESCE(?9, progress),
          failed_items = COALESCE(?10, failed_items),
          lease_expires_at = NULL,
          claim_token = NULL
      WHERE id = ?6 AND claim_token = ?7 AND state = 'running'
        AND (?8 IS NULL OR lease_expires_at < ?8)""";

  static final String PROGRESS = """
      UPDATE offload_jobs SET progress = ?
      WHERE id = ? AND claim_token = ? AND state = 'running'""";

  static final String CHECKPOINT = """
      UPDATE offload_jobs SET checkpoint = ?, failed_items = COALESCE(?, failed_items)
      WHERE id = ? AND claim_token = ? AND state = 'running'""";

  static final String RECENT_PROGRESS = """
      SELECT progress FROM offload_jobs
      WHERE kind = ? AND state = 'succeeded' AND progress IS NOT NULL
      ORDER BY id DESC LIMIT ?""";

  static final String HEARTBEAT = """
      UPDATE offload_jobs SET lease_expires_at = ?
      WHERE state = 'running' AND lease_owner = ? AND id IN (SELECT value FROM json_each(?))""";

  static final String RELEASE = """
      UPDATE offload_jobs
      SET state = 'available', attempt = attempt - 1, run_at = ?, lease_owner = NULL,
          lease_expires_at = NULL, claim_token = NULL, started_at = NULL
      WHERE id = ? AND claim_token = ? AND state = 'running'
      RETURNING queue""";

  static final String GET_STUCK = """
      SELECT id, kind, attempt, max_attempts, claim_token, lease_owner FROM offload_jobs
      WHERE state = 'running' AND lease_expires_at < ?
      ORDER BY lease_expires_at
      LIMIT ?""";

  static final String GET = "SELECT " + JOB_COLUMNS + " FROM offload_jobs WHERE id = ?";

  /**
   * Newest first below a cursor. The filters are written out per call (see {@code list}) rather
   * than as {@code (? IS NULL OR state = ?)}: SQLite plans a statement once, and only a plain
   * {@code state = ?} lets it use the (state, id) and (kind, id) indexes.
   */
  static String list(boolean byState, boolean byQueue, boolean byKind) {
    return "SELECT " + JOB_COLUMNS + "\nFROM offload_jobs\nWHERE id < ?"
        + (byState ? " AND state = ?" : "")
        + (byQueue ? " AND queue = ?" : "")
        + (byKind ? " AND kind = ?" : "")
        + "\nORDER BY id DESC\nLIMIT ?";
  }

  static final String KIND_ANNOUNCE = """
      INSERT INTO offload_kinds (kind, announced_at)
      SELECT value, ? FROM json_each(?) WHERE true
      ON CONFLICT (kind) DO UPDATE SET announced_at = excluded.announced_at""";

  static final String KIND_KNOWN = "SELECT 1 FROM offload_kinds WHERE kind = ?";

  // Takes the row when it is free, expired, or already ours; RETURNING yields a row only when the
  // insert or the update happened, that is, when node holds leadership now.
  static final String LEADER_ATTEMPT_ELECT = """
      INSERT INTO offload_leader (name, node, expires_at) VALUES ('leader', ?1, ?2)
      ON CONFLICT (name) DO UPDATE SET node = excluded.node, expires_at = excluded.expires_at
      WHERE offload_leader.node = excluded.node OR offload_leader.expires_at < ?3
      RETURNING node""";

  static final String LEADER_RESIGN = "DELETE FROM offload_leader WHERE name = 'leader' AND node = ?";

  static final String MIGRATIONS_TABLE = """
      CREATE TABLE IF NOT EXISTS offload_migrations (
        version    INTEGER PRIMARY KEY,
        applied_at INTEGER NOT NULL
      )""";

  static final String MIGRATIONS_APPLIED = "SELECT version FROM offload_migrations";

  static final String MIGRATION_RECORD = "INSERT INTO offload_migrations (version, applied_at) VALUES (?, ?)";
}
