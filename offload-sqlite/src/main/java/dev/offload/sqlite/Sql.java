package dev.offload.sqlite;

import dev.offload.store.Store.JobAction;
import dev.offload.store.jdbc.JdbcRows;

/**
 * Every statement of the SQLite store, complete; the states an action may start from are filled in
 * from {@link JobAction}. Lists (kinds, ids) are passed as one JSON array and read with {@code
 * json_each}, so one statement serves a list of any size without SQLite's limit on bound variables.
 * {@code ?N} parameters are numbered where a value is used twice.
 */
final class Sql {
  private Sql() {}

  static final String JOB_COLUMNS =
      """
      id, kind, queue, state, priority, args, attempt, max_attempts, run_at, created_at,
      started_at, finished_at, lease_owner, errors, result, progress, checkpoint, failed_items, parent_id, schedule,
      workflow_id, step, concurrency_key, unique_key\
      """;

  /**
   * One row; run once per job with a reused statement, which in-process SQLite makes cheap. A job
   * whose key is taken is not inserted: the no-op update makes RETURNING give the stored job's id,
   * with its kind and args for the store to check they match the request.
   */
  static final String INSERT =
      """
      INSERT INTO offload_jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at, parent_id, retry_items,
                                idempotency_key, schedule, concurrency_key, headers)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL
        DO UPDATE SET idempotency_key = excluded.idempotency_key
      RETURNING id, CASE WHEN idempotency_key IS NOT NULL THEN kind END, CASE WHEN idempotency_key IS NOT NULL THEN args END\
      """;

  /**
   * A job with a unique key: any conflict (its unique key while a job with it is pending or
   * running, or its idempotency key) inserts nothing, and the store looks up the job holding it.
   */
  static final String INSERT_UNIQUE =
      """
      INSERT INTO offload_jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at, parent_id, retry_items,
                                idempotency_key, concurrency_key, unique_key, headers)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING
      RETURNING id\
      """;

  static final String UNIQUE_FINISHED =
      """
      SELECT id FROM offload_jobs WHERE unique_key = ? AND finished_at > ? ORDER BY finished_at DESC LIMIT 1\
      """;

  static final String UNIQUE_LIVE =
      """
      SELECT id FROM offload_jobs WHERE unique_key = ? AND state IN ('scheduled', 'available', 'running', 'retrying')\
      """;

  /** Debounce: a duplicate that has not started yet takes the new args, run time and priority. */
  static final String UNIQUE_REPLACE =
      """
      UPDATE offload_jobs SET args = ?, run_at = ?, priority = ?, state = ?
      WHERE unique_key = ? AND state IN ('scheduled', 'available') AND attempt = 0
      RETURNING id\
      """;

  static final String IDEMPOTENCY_GET =
      "SELECT id, kind, args FROM offload_jobs WHERE idempotency_key = ?";

  // Runs in a BEGIN IMMEDIATE transaction: the write lock is taken before the SELECT reads, so no
  // other connection or process can claim the same rows in between (SQLite has one writer at a
  // time; it needs no SKIP LOCKED). RETURNING yields rows in no particular order: the store sorts.
  static final String CLAIM =
      """
      UPDATE offload_jobs
      SET state = 'running', attempt = attempt + 1, lease_owner = ?1, lease_expires_at = ?2,
          -- Claimed, not started: the handler's start is written when a slot runs it (START).
          claim_token = ?3, started_at = NULL
      WHERE id IN (
        SELECT id FROM offload_jobs
        WHERE queue = ?5 AND state IN ('scheduled', 'available', 'retrying') AND run_at <= ?4
          -- A push queue's dispatcher claims every kind (ClaimParams.ANY_KIND, '*').
          AND (kind IN (SELECT value FROM json_each(?6)) OR '*' IN (SELECT value FROM json_each(?6)))
          -- A queue with flow control is claimed only by the controlled path (CLAIM_CANDIDATES), and
          -- a queue limit only by a process that leases its slots (?8, QUEUE_SLOTS_*): a process
          -- whose copy of the settings is a second old claims nothing here.
          AND NOT EXISTS (SELECT 1 FROM offload_queues q WHERE q.name = ?5 AND (q.paused
            OR (q.max_running IS NOT NULL AND NOT ?8)
            OR q.per_key IS NOT NULL OR q.rate_count IS NOT NULL OR q.fair OR q.aging_ms IS NOT NULL))
        ORDER BY priority, run_at, id
        LIMIT ?7
      )
      RETURNING id, kind, queue, args, attempt, max_attempts, priority, checkpoint, failed_items, retry_items, run_at,
                headers\
      """;

  // The flow-controlled claim runs in the same BEGIN IMMEDIATE transaction: SQLite's write lock
  // already serialises claims, so what runs of a key can be counted from the rows (running with a
  // live lease) rather than kept in a counter.
  static final String CLAIM_SETTINGS =
      """
      SELECT name, paused, 1, max_running, per_key, rate_count, rate_period_ms, rate_per_key, fair, aging_ms
      FROM offload_queues WHERE name = ?\
      """;

  // A process's slots of a queue limit (SqliteStore.queueSlots), in a write transaction: the limit,
  // the other processes' live leases (?3, now in us), then the lease written and the lapsed ones
  // deleted.
  static final String QUEUE_SLOTS_LIMIT = "SELECT max_running FROM offload_queues WHERE name = ?";

  static final String QUEUE_SLOTS_OTHERS =
      """
      SELECT node, held, wanted FROM offload_queue_slots WHERE queue = ?1 AND node <> ?2 AND expires_us > ?3\
      """;

  static final String QUEUE_SLOTS_LAPSED =
      "DELETE FROM offload_queue_slots WHERE queue = ? AND expires_us <= ?";

  static final String QUEUE_SLOTS_WRITE =
      """
      INSERT INTO offload_queue_slots (queue, node, held, wanted, expires_us) VALUES (?1, ?2, ?3, ?4, ?5)
      ON CONFLICT (queue, node) DO UPDATE
        SET held = excluded.held, wanted = excluded.wanted, expires_us = excluded.expires_us\
      """;

  static final String QUEUE_SLOTS_RELEASE =
      "DELETE FROM offload_queue_slots WHERE queue = ? AND node = ?";

  static final String CLAIM_RATE_GET =
      "SELECT tat_us FROM offload_queue_rates WHERE queue = ? AND key = ?";

  // Runnable jobs ranked within their key (nth = 1 is a key's most urgent job): a key takes at
  // most its room left (perKey minus what runs of it) and, with a rate per key, the starts its
  // rate allows now. Fair queues order by that rank first, so keys take turns. Aging makes a job
  // one priority level more urgent per period it waited past its run time.
  // ?1 queue, ?2 now (ms), ?3 now (us), ?4 kinds (JSON), ?5 per key, ?6 rate per key, ?7 interval
  // (us), ?8 tolerance (us), ?9 aging (ms), ?10 fair, ?11 limit, ?12 the lease clock's now (ms).
  static final String CLAIM_CANDIDATES =
      """
      WITH running AS (
        SELECT concurrency_key AS ckey, count(*) AS n FROM offload_jobs
        WHERE queue = ?1 AND state = 'running' AND lease_expires_at > ?12 AND concurrency_key IS NOT NULL
        GROUP BY concurrency_key
      ),
      runnable AS (
        SELECT id, concurrency_key AS ckey, run_at,
               CASE WHEN ?9 IS NULL THEN priority ELSE max(0, priority - (?2 - run_at) / ?9) END AS urgency
        FROM offload_jobs
        WHERE queue = ?1 AND state IN ('scheduled', 'available', 'retrying') AND run_at <= ?2
          AND (kind IN (SELECT value FROM json_each(?4)) OR '*' IN (SELECT value FROM json_each(?4)))
      ),
      ranked AS (
        SELECT r.*, row_number() OVER (PARTITION BY r.ckey ORDER BY r.urgency, r.run_at, r.id) AS nth FROM runnable r
      )
      SELECT r.id FROM ranked r
        LEFT JOIN running c ON c.ckey = r.ckey
        LEFT JOIN offload_queue_rates t ON ?6 AND t.queue = ?1 AND t.key = coalesce(r.ckey, '')
      WHERE (?5 IS NULL OR r.ckey IS NULL OR r.nth <= ?5 - coalesce(c.n, 0))
        AND (NOT ?6 OR r.nth <= CASE
              WHEN max(coalesce(t.tat_us, ?3), ?3) > ?3 + ?8 THEN 0
              ELSE (?3 + ?8 - max(coalesce(t.tat_us, ?3), ?3)) / ?7 + 1 END)
      ORDER BY CASE WHEN ?10 THEN r.nth ELSE 0 END, r.urgency, r.run_at, r.id
      LIMIT ?11\
      """;

  // A queue whose limits do not look at keys (maxRunning, a rate for the whole queue) and that
  // neither interleaves keys nor ages needs no ranking: its next jobs in plain claim order, from
  // the claim index, instead of numbering every runnable row on each claim.
  // ?1 queue, ?2 now (ms), ?3 kinds (JSON), ?4 limit.
  static final String CLAIM_CANDIDATES_IN_ORDER =
      """
      SELECT id, concurrency_key FROM offload_jobs
      WHERE queue = ?1 AND state IN ('scheduled', 'available', 'retrying') AND run_at <= ?2
        AND (kind IN (SELECT value FROM json_each(?3)) OR '*' IN (SELECT value FROM json_each(?3)))
      ORDER BY priority, run_at, id
      LIMIT ?4\
      """;

  // A per-key limit of 1 (no aging, no rate per key): a key's candidate is its most urgent
  // runnable job, and fair order (each key's first job, then each key's second) is plain claim
  // order. So the runnable rows are read in claim order, a key that runs already (or that this
  // claim took already, ?6) is skipped by a probe of the running rows' index, and the caller keeps
  // the first row of each key: no window over every runnable row. The LIMIT bounds a read; when it
  // is used up by rows of keys already taken, the caller reads again with those keys in ?6.
  // ?1 queue, ?2 now (ms), ?3 kinds (JSON), ?4 limit, ?5 the lease clock's now (ms), ?6 keys taken
  // (JSON), ?7 keyless jobs taken (JSON ids).
  static final String CLAIM_CANDIDATES_ONE_PER_KEY =
      """
      SELECT j.id, j.concurrency_key FROM offload_jobs j
      WHERE j.queue = ?1 AND j.state IN ('scheduled', 'available', 'retrying') AND j.run_at <= ?2
        AND (j.kind IN (SELECT value FROM json_each(?3)) OR '*' IN (SELECT value FROM json_each(?3)))
        AND (j.concurrency_key IS NULL OR (j.concurrency_key NOT IN (SELECT value FROM json_each(?6)) AND NOT EXISTS (
          SELECT 1 FROM offload_jobs r INDEXED BY offload_jobs_running_key_idx
          WHERE r.queue = j.queue AND r.concurrency_key = j.concurrency_key
            AND r.state = 'running' AND r.lease_expires_at > ?5)))
        AND j.id NOT IN (SELECT value FROM json_each(?7))
      ORDER BY j.priority, j.run_at, j.id
      LIMIT ?4\
      """;

  /** Claims one candidate, unless it was cancelled or deleted meanwhile. */
  static final String CLAIM_ID =
      """
      UPDATE offload_jobs
      SET state = 'running', attempt = attempt + 1, lease_owner = ?1, lease_expires_at = ?2, claim_token = ?3, started_at = ?4
      WHERE id = ?5 AND state IN ('scheduled', 'available', 'retrying')
      RETURNING id, kind, queue, args, attempt, max_attempts, priority, checkpoint, failed_items, retry_items, run_at,
                concurrency_key, headers\
      """;

  /** Moves a key's TAT on by the starts just claimed: max(tat, now) + n * interval. */
  static final String CLAIM_RATE_ADVANCE =
      """
      INSERT INTO offload_queue_rates (queue, key, tat_us) VALUES (?1, ?2, ?3 + ?4)
      ON CONFLICT (queue, key) DO UPDATE SET tat_us = max(tat_us, ?3) + ?4\
      """;

  /**
   * New settings start the queue's rates afresh (a slower rate's TAT would hold the new one back).
   */
  static final String QUEUE_RATES_RESET = "DELETE FROM offload_queue_rates WHERE queue = ?";

  // lease_owner stays, so a finished job shows the node that ran its last attempt. A cancellation
  // requested from any node wins over every outcome but success. ?11 is 1 to give the attempt back.
  static final String COMPLETE =
      """
      UPDATE offload_jobs
      SET state = CASE WHEN cancel_requested_at IS NOT NULL AND ?1 <> 'succeeded' THEN 'cancelled' ELSE ?1 END,
          finished_at = CASE WHEN ?1 IN ('succeeded', 'dead', 'cancelled') OR cancel_requested_at IS NOT NULL THEN ?2 END,
          attempt = attempt - ?11,
          run_at = COALESCE(?3, run_at),
          result = COALESCE(?4, result),
          errors = CASE WHEN ?5 IS NULL THEN errors ELSE json_insert(errors, '$[#]', json(?5)) END,
          progress = COALESCE(?9, progress),
          failed_items = COALESCE(?10, failed_items),
          lease_expires_at = NULL,
          claim_token = NULL,
          -- A job that ends before its start was written brings the start along (?12).
          started_at = COALESCE(started_at, ?12),
          first_started_at = COALESCE(first_started_at, ?12),
          first_due_at = CASE WHEN first_started_at IS NULL AND ?12 IS NOT NULL THEN run_at ELSE first_due_at END
      WHERE id = ?6 AND claim_token = ?7 AND state = 'running'
        AND (?8 IS NULL OR lease_expires_at < ?8)\
      """;

  static final String START =
      """
      UPDATE offload_jobs
      SET started_at = ?1,
          first_started_at = COALESCE(first_started_at, ?1),
          first_due_at = CASE WHEN first_started_at IS NULL THEN run_at ELSE first_due_at END
      WHERE id = ?2 AND claim_token = ?3 AND state = 'running' AND started_at IS NULL\
      """;

  static final String PROGRESS =
      """
      UPDATE offload_jobs SET progress = ?
      WHERE id = ? AND claim_token = ? AND state = 'running'\
      """;

  static final String CHECKPOINT =
      """
      UPDATE offload_jobs SET checkpoint = ?, failed_items = COALESCE(?, failed_items)
      WHERE id = ? AND claim_token = ? AND state = 'running'\
      """;

  static final String RECENT_PROGRESS =
      """
      SELECT progress FROM offload_jobs
      WHERE kind = ? AND state = 'succeeded' AND progress IS NOT NULL
      ORDER BY id DESC LIMIT ?\
      """;

  // The store keeps the ids whose cancellation was requested.
  static final String HEARTBEAT =
      """
      UPDATE offload_jobs SET lease_expires_at = ?
      WHERE state = 'running' AND lease_owner = ? AND id = ? AND claim_token = ?
      RETURNING id, claim_token, cancel_requested_at IS NOT NULL\
      """;

  static final String RELEASE =
      """
      UPDATE offload_jobs
      SET state = 'available', attempt = attempt - 1, run_at = ?, lease_owner = NULL,
          lease_expires_at = NULL, claim_token = NULL, started_at = NULL
      WHERE id = ? AND claim_token = ? AND state = 'running'
      RETURNING queue\
      """;

  // One state ('running'): SQLite reads IN with one value as '==', so offload_jobs_lease_idx
  // matches.
  static final String GET_STUCK =
      """
      SELECT id, kind, attempt, max_attempts, claim_token, lease_owner FROM offload_jobs
      WHERE state IN (%s) AND lease_expires_at < ?
      ORDER BY lease_expires_at
      LIMIT ?\
      """
          .formatted(JobAction.RESCUE.sqlStates());

  static final String GET = "SELECT " + JOB_COLUMNS + " FROM offload_jobs WHERE id = ?";

  /**
   * Newest first below a cursor; the store appends the filter clauses and then {@link #LIST_ORDER}.
   * The filters are written out per call rather than as {@code (? IS NULL OR state = ?)}: SQLite
   * plans a statement once, and only a plain {@code state = ?} lets it use the (state, id) and
   * (kind, id) indexes.
   */
  static final String LIST = "SELECT " + JOB_COLUMNS + "\nFROM offload_jobs\nWHERE id < ?";

  /** The columns of a listing that leaves out args and results: it does not read them at all. */
  static String listColumns(boolean args, boolean result) {
    return JOB_COLUMNS
        .replace(" args,", args ? " args," : " NULL AS args,")
        .replace(" result,", result ? " result," : " NULL AS result,");
  }

  static final String LIST_ORDER = "\nORDER BY id DESC\nLIMIT ?";

  /** The filter clauses the store appends to LIST, REPLAY_MANY and DELETE_MANY, one value each. */
  static final JdbcRows.FilterClauses FILTERS =
      new JdbcRows.FilterClauses(
          " AND state = ?",
          " AND queue = ?",
          " AND kind = ?",
          // the class of the job's latest error
          " AND json_extract(errors, '$[#-1].errorClass') = ?",
          " AND finished_at >= ?",
          " AND finished_at < ?");

  /** The state and queue of a job, read inside the write transaction that changes it. */
  static final String JOB_STATE = "SELECT state, queue FROM offload_jobs WHERE id = ?";

  // cancel_requested_at marks a user's cancellation, of a pending job too, so that retrying a
  // workflow step re-arms only the dependents its failure cancelled (see REARM_DEPENDENTS).
  static final String CANCEL_PENDING =
      "UPDATE offload_jobs SET state = 'cancelled', finished_at = ?, cancel_requested_at = ? WHERE id = ?";

  static final String CANCEL_RUNNING =
      "UPDATE offload_jobs SET cancel_requested_at = ? WHERE id = ?";

  // A dead or cancelled job runs again with fresh attempts; its errors and checkpoint stay.
  private static final String FRESH =
      """
      UPDATE offload_jobs
      SET state = 'available', attempt = 0, run_at = ?, finished_at = NULL, started_at = NULL,
          first_started_at = NULL, first_due_at = NULL,
          lease_owner = NULL, lease_expires_at = NULL, claim_token = NULL, cancel_requested_at = NULL
      WHERE\s\
      """;

  static final String RETRY_FRESH = FRESH + "id = ?";

  static final String RUN_NOW =
      "UPDATE offload_jobs SET state = 'available', run_at = ? WHERE id = ?";

  static final String DELETE = "DELETE FROM offload_jobs WHERE id = ?";

  // Retrying a step re-arms the dependents its failure cancelled (on_failure 'cancel', and not
  // cancelled by a user: cancel_requested_at is null): they wait again, for the retried step.
  static final String REARM_DEPENDENTS =
      """
      UPDATE offload_jobs AS w
      SET state = 'waiting', attempt = 0, run_at = ?1, finished_at = NULL, started_at = NULL, lease_owner = NULL,
          lease_expires_at = NULL, claim_token = NULL
      WHERE w.state = 'cancelled' AND w.on_failure = 'cancel' AND w.cancel_requested_at IS NULL
        AND w.id IN (SELECT job_id FROM offload_job_deps WHERE depends_on IN (SELECT value FROM json_each(?2)))
      RETURNING id\
      """;

  // Deleting a job that unfinished steps wait for would leave them waiting forever: refused.
  static final String UNFINISHED_DEPENDENTS =
      """
      SELECT w.id, w.step FROM offload_job_deps d JOIN offload_jobs w ON w.id = d.job_id
      WHERE d.depends_on = ? AND w.state NOT IN ('succeeded', 'dead', 'cancelled') ORDER BY w.id\
      """;

  /** Followed by the filter clauses, then {@link #REPLAY_MANY_RETURNING}. */
  static final String REPLAY_MANY = FRESH + "state IN (" + JobAction.REPLAY.sqlStates() + ")";

  static final String REPLAY_MANY_RETURNING = "\nRETURNING queue, id, workflow_id IS NOT NULL";

  /** Followed by the filter clauses. */
  static final String DELETE_MANY =
      "DELETE FROM offload_jobs WHERE state IN (" + JobAction.PURGE.sqlStates() + ")";

  static final String PRUNE =
      """
      DELETE FROM offload_jobs WHERE id IN (
        SELECT id FROM offload_jobs WHERE state = ? AND finished_at < ? ORDER BY finished_at LIMIT ?
      )\
      """;

  static final String QUEUE_COUNTS =
      "SELECT queue, state, count(*) FROM offload_jobs GROUP BY queue, state";

  static final String QUEUES_PAUSED = "SELECT name, paused FROM offload_queues";

  // SQLite has no percentile: the store takes the medians of these rows.
  static final String QUEUE_LAST_MINUTE =
      """
      SELECT queue, started_at - run_at AS latency, finished_at - started_at AS run
      FROM offload_jobs
      WHERE state IN ('succeeded', 'dead', 'cancelled') AND finished_at >= ?\
      """;

  static final String QUEUE_PAUSE =
      """
      INSERT INTO offload_queues (name, paused, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at\
      """;

  static final String QUEUE_SETTINGS_LIST =
      """
      SELECT name, paused, configured_at IS NOT NULL, max_running, per_key, rate_count, rate_period_ms, rate_per_key, fair,
             aging_ms, push_url, push_timeout_ms, push_secret_env, push_allow_http
      FROM offload_queues ORDER BY name\
      """;

  // What a queue's flow control holds back, for "waiting: ..." and the gauges: counted as the
  // flow-controlled claim counts (running with a live lease; due by the engine's clock). A due job
  // is held by its key's limit first, then by its key's rate.
  // ?1 queue, ?2 now (ms), ?3 per key, ?4 rate per key, ?5 tolerance (us), ?6 key, ?7 the lease
  // clock's now (ms), ?8 the same in us (also the last column: the clock the figures were read on).
  static final String QUEUE_FLOW =
      """
      WITH running AS (
        SELECT concurrency_key AS ckey, count(*) AS n FROM offload_jobs
        WHERE queue = ?1 AND state = 'running' AND lease_expires_at > ?7
        GROUP BY concurrency_key
      ),
      due AS (
        SELECT concurrency_key AS ckey, count(*) AS n FROM offload_jobs
        WHERE queue = ?1 AND state IN ('scheduled', 'available', 'retrying') AND run_at <= ?2
        GROUP BY concurrency_key
      ),
      keyed AS (
        SELECT d.n,
               (?3 IS NOT NULL AND d.ckey IS NOT NULL AND coalesce(r.n, 0) >= ?3) AS at_limit,
               (?4 AND coalesce(t.tat_us, 0) > ?8 + ?5) AS out_of_rate
        FROM due d
          LEFT JOIN running r ON r.ckey = d.ckey
          LEFT JOIN offload_queue_rates t ON t.queue = ?1 AND t.key = coalesce(d.ckey, '')
      )
      SELECT (SELECT coalesce(sum(n), 0) FROM running),
             (SELECT count(*) FROM running WHERE ckey IS NOT NULL AND n >= ?3),
             (SELECT coalesce(sum(n), 0) FROM due),
             (SELECT coalesce(sum(n), 0) FROM keyed WHERE at_limit),
             (SELECT coalesce(sum(n), 0) FROM keyed WHERE out_of_rate AND NOT at_limit),
             (SELECT tat_us FROM offload_queue_rates WHERE queue = ?1 AND key = ''),
             (SELECT coalesce(sum(n), 0) FROM running WHERE ckey = ?6),
             (SELECT tat_us FROM offload_queue_rates WHERE queue = ?1 AND key = ?6),
             ?8,
             (SELECT coalesce(sum(held), 0) FROM offload_queue_slots WHERE queue = ?1 AND expires_us > ?8)\
      """;

  // ?10 is "only if unconfigured": a node's defaults never overwrite an operator's settings. The
  // paused flag is left as it is. ?11 to ?14 are the push endpoint's columns.
  static final String QUEUE_SETTINGS_PUT =
      """
      INSERT INTO offload_queues (name, paused, updated_at, max_running, per_key, rate_count, rate_period_ms, rate_per_key,
                                  fair, aging_ms, configured_at, push_url, push_timeout_ms, push_secret_env, push_allow_http)
      VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?2, ?11, ?12, ?13, ?14)
      ON CONFLICT (name) DO UPDATE SET max_running = excluded.max_running, per_key = excluded.per_key,
          rate_count = excluded.rate_count, rate_period_ms = excluded.rate_period_ms, rate_per_key = excluded.rate_per_key,
          fair = excluded.fair, aging_ms = excluded.aging_ms, configured_at = excluded.configured_at,
          push_url = excluded.push_url, push_timeout_ms = excluded.push_timeout_ms,
          push_secret_env = excluded.push_secret_env, push_allow_http = excluded.push_allow_http,
          updated_at = excluded.updated_at
        WHERE NOT ?10 OR offload_queues.configured_at IS NULL\
      """;

  // The run times of the last 1,000 successes per kind, sorted; the store takes the percentiles.

  // The whole times (first start to end, across attempts) and queue waits of the last 1,000
  // successes per kind; the store sorts and takes the percentiles. Jobs from before the first start
  // was kept fall back to their last attempt.
  static final String KIND_RUN_TIMES =
      """
      SELECT kind, ms, wait_ms FROM (
        SELECT kind, finished_at - COALESCE(first_started_at, started_at) AS ms,
               max(0, first_started_at - first_due_at) AS wait_ms,
               row_number() OVER (PARTITION BY kind ORDER BY finished_at DESC) AS recent
        FROM offload_jobs
        WHERE state = 'succeeded' AND finished_at >= ? AND COALESCE(first_started_at, started_at) IS NOT NULL
      )
      WHERE recent <= 1000
      ORDER BY kind\
      """;

  // Running jobs whose handler has not started: claimed ahead, held for a free slot.
  static final String QUEUE_CLAIMED =
      """
      SELECT queue, count(*) FROM offload_jobs WHERE state = 'running' AND started_at IS NULL GROUP BY queue\
      """;

  static final String KIND_ANNOUNCE =
      """
      INSERT INTO offload_kinds (kind, announced_at)
      SELECT value, ? FROM json_each(?) WHERE true
      ON CONFLICT (kind) DO UPDATE SET announced_at = excluded.announced_at\
      """;

  static final String KIND_KNOWN = "SELECT 1 FROM offload_kinds WHERE kind = ?";

  static final String JOB_RUNNING_LEASE =
      "SELECT claim_token FROM offload_jobs WHERE id = ? AND state = 'running' AND claim_token IS NOT NULL";

  static final String WORKFLOW_INSERT =
      "INSERT INTO offload_workflows (name, created_at, batch) VALUES (?, ?, ?) RETURNING id";

  static final String WORKFLOW_GROUP_INSERT =
      """
      INSERT INTO offload_job_dep_groups (workflow_id, job_id, prefix) VALUES (?, ?, ?)
      ON CONFLICT DO NOTHING\
      """;

  /** The adding step: its state, workflow, step name and whether its workflow was cancelled. */
  static final String ADDING_STEP =
      """
      SELECT j.state, j.workflow_id, j.step, f.cancelled_at FROM offload_jobs j
      LEFT JOIN offload_workflows f ON f.id = j.workflow_id WHERE j.id = ?\
      """;

  static final String STEP_BY_NAME =
      "SELECT id FROM offload_jobs WHERE workflow_id = ? AND step = ? LIMIT 1";

  static final String DEP_INSERT =
      "INSERT INTO offload_job_deps (job_id, depends_on) VALUES (?, ?) ON CONFLICT DO NOTHING";

  // A new step that waits for a group waits for the members it has already.
  static final String GROUP_MEMBERS_DEPS =
      """
      INSERT INTO offload_job_deps (job_id, depends_on)
      SELECT ?1, id FROM offload_jobs WHERE workflow_id = ?2 AND substr(step, 1, length(?3)) = ?3 AND id <> ?1
      ON CONFLICT DO NOTHING\
      """;

  // The waiting steps that wait for a group the new step (name ?2) belongs to.
  static final String GROUP_JOINS =
      """
      SELECT w.id FROM offload_job_dep_groups g JOIN offload_jobs w ON w.id = g.job_id
      WHERE g.workflow_id = ?1 AND w.state = 'waiting' AND substr(?2, 1, length(g.prefix)) = g.prefix AND w.id <> ?3
      ORDER BY w.id\
      """;

  // Whether one of the first jobs waits, directly or not, for one of the second: a dependency
  // that would close a cycle.
  static final String DEPENDS_ON_ANY =
      """
      WITH RECURSIVE up(id) AS (
        SELECT value FROM json_each(?1)
        UNION SELECT d.depends_on FROM offload_job_deps d JOIN up ON d.job_id = up.id
      )
      SELECT 1 FROM up WHERE id IN (SELECT value FROM json_each(?2)) LIMIT 1\
      """;

  // A retried or replayed step with dependencies waits for them again (released at once, in the
  // same transaction, when they have all succeeded).
  static final String WAIT_IF_DEPENDENCIES =
      """
      UPDATE offload_jobs AS j SET state = 'waiting'
      WHERE j.id IN (SELECT value FROM json_each(?)) AND j.state = 'available'
        AND EXISTS (SELECT 1 FROM offload_job_deps d WHERE d.job_id = j.id)
      RETURNING id\
      """;

  static final String WORKFLOW_STEP_INSERT =
      """
      INSERT INTO offload_jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at, workflow_id, step, on_failure)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      RETURNING id\
      """;

  static final String WORKFLOW_DEP_INSERT =
      "INSERT INTO offload_job_deps (job_id, depends_on) VALUES (?, ?)";

  static final String WORKFLOW_GET =
      "SELECT id, name, created_at, cancelled_at FROM offload_workflows WHERE id = ?";

  static final String WORKFLOW_STEPS =
      """
      SELECT j.id, j.step, j.kind, j.state, j.on_failure, j.started_at, j.finished_at, j.progress,
             (SELECT json_group_array(step) FROM (
                SELECT p.step FROM offload_job_deps d JOIN offload_jobs p ON p.id = d.depends_on
                WHERE d.job_id = j.id ORDER BY p.id)) AS after_steps
      FROM offload_jobs j WHERE j.workflow_id = ? ORDER BY j.id\
      """;

  static final String WORKFLOW_STEP_RESULT =
      """
      SELECT s.result FROM offload_jobs j JOIN offload_jobs s ON s.workflow_id = j.workflow_id AND s.step = ?
      WHERE j.id = ?\
      """;

  static final String WORKFLOW_MARK_CANCELLED =
      "UPDATE offload_workflows SET cancelled_at = ? WHERE id = ?";

  static final String WORKFLOW_CANCEL_PENDING =
      """
      UPDATE offload_jobs SET state = 'cancelled', finished_at = ?, cancel_requested_at = ?
      WHERE workflow_id = ? AND state IN ('scheduled', 'available', 'retrying', 'waiting')\
      """;

  static final String WORKFLOW_CANCEL_RUNNING =
      """
      UPDATE offload_jobs SET cancel_requested_at = ? WHERE workflow_id = ? AND state = 'running' RETURNING id\
      """;

  static final String WORKFLOW_UNMARK_CANCELLED =
      "UPDATE offload_workflows SET cancelled_at = NULL WHERE id = ?";

  // Dead and cancelled steps start again: waiting when they have dependencies (released below when
  // those have all succeeded), available otherwise.
  static final String WORKFLOW_REARM =
      """
      UPDATE offload_jobs
      SET state = CASE WHEN EXISTS (SELECT 1 FROM offload_job_deps d WHERE d.job_id = offload_jobs.id) THEN 'waiting' ELSE 'available' END,
          attempt = 0, run_at = ?, finished_at = NULL, started_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
          claim_token = NULL, cancel_requested_at = NULL
      WHERE workflow_id = ? AND state IN ('dead', 'cancelled')\
      """;

  /** Jobs that ended just now and are workflow steps (whose dependents may be released). */
  static final String ENDED_STEPS =
      """
      SELECT id FROM offload_jobs
      WHERE id IN (SELECT value FROM json_each(?)) AND workflow_id IS NOT NULL AND state IN ('succeeded', 'dead', 'cancelled')\
      """;

  static final String WAITING_DEPENDENTS =
      """
      SELECT w.id FROM offload_jobs w
      WHERE w.state = 'waiting' AND w.id IN (SELECT job_id FROM offload_job_deps WHERE depends_on IN (SELECT value FROM json_each(?)))
      ORDER BY w.id\
      """;

  static final String CANCEL_DEPENDENTS =
      """
      UPDATE offload_jobs AS w SET state = 'cancelled', finished_at = ?1
      WHERE w.id IN (SELECT value FROM json_each(?2)) AND w.state = 'waiting' AND w.on_failure = 'cancel'
        AND EXISTS (SELECT 1 FROM offload_job_deps d JOIN offload_jobs dep ON dep.id = d.depends_on
                    WHERE d.job_id = w.id AND dep.state IN ('dead', 'cancelled'))
      RETURNING id\
      """;

  // Released: every dependency succeeded, or (onFailure continue) ended.
  private static final String RELEASABLE =
      """
      w.state = 'waiting' AND NOT EXISTS (
        SELECT 1 FROM offload_job_deps d JOIN offload_jobs dep ON dep.id = d.depends_on
        WHERE d.job_id = w.id AND dep.state <> 'succeeded'
          AND (w.on_failure = 'cancel' OR dep.state NOT IN ('dead', 'cancelled')))\
      """;

  // A batch's callback gets the batch's counts in its args as it is released, in the same
  // statement, so the counts are those of the completion that released it.
  private static final String BATCH_ARGS =
      """
      args = CASE WHEN (SELECT f.batch FROM offload_workflows f WHERE f.id = w.workflow_id)
        THEN json_set(CASE WHEN json_type(w.args) = 'object' THEN w.args ELSE '{}' END, '$.batch', json_object(
               'id', w.workflow_id,
               'total', (SELECT count(*) FROM offload_job_deps d WHERE d.job_id = w.id),
               'succeeded', (SELECT count(*) FROM offload_job_deps d JOIN offload_jobs dep ON dep.id = d.depends_on
                             WHERE d.job_id = w.id AND dep.state = 'succeeded'),
               'dead', (SELECT count(*) FROM offload_job_deps d JOIN offload_jobs dep ON dep.id = d.depends_on
                        WHERE d.job_id = w.id AND dep.state = 'dead'),
               'cancelled', (SELECT count(*) FROM offload_job_deps d JOIN offload_jobs dep ON dep.id = d.depends_on
                             WHERE d.job_id = w.id AND dep.state = 'cancelled')))
        ELSE w.args END
      """;

  static final String RELEASE_DEPENDENTS =
      """
      UPDATE offload_jobs AS w SET state = 'available', run_at = max(w.run_at, ?1),
      """
          + BATCH_ARGS
          + """
          WHERE w.id IN (SELECT value FROM json_each(?2)) AND\
          """
          + " "
          + RELEASABLE
          + "\n"
          + """
          RETURNING id, queue\
          """;

  static final String RELEASE_WORKFLOW =
      """
      UPDATE offload_jobs AS w SET state = 'available', run_at = max(w.run_at, ?1),
      """
          + BATCH_ARGS
          + """
          WHERE w.workflow_id = ?2 AND\
          """
          + " "
          + RELEASABLE
          + "\n"
          + """
          RETURNING id, queue\
          """;

  private static final String SCHEDULE_VALUES =
      """
      INSERT INTO offload_schedules AS s (name, kind, args, queue, priority, max_attempts, cron, zone, every_ms, catch_up,
                                          paused, declared, disabled, last_tick)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
      """;

  static final String SCHEDULE_INSERT = SCHEDULE_VALUES + "ON CONFLICT (name) DO NOTHING";

  // A changed timing (or a disabled schedule coming back) starts from now: the ticks between its
  // last tick and now belonged to another definition, so they are not caught up.
  static final String SCHEDULE_UPSERT =
      SCHEDULE_VALUES
          + """
          ON CONFLICT (name) DO UPDATE SET
            kind = excluded.kind, args = excluded.args, queue = excluded.queue, priority = excluded.priority,
            max_attempts = excluded.max_attempts, cron = excluded.cron, zone = excluded.zone, every_ms = excluded.every_ms,
            catch_up = excluded.catch_up, declared = excluded.declared, disabled = 0,
            last_tick = CASE WHEN s.disabled OR s.cron IS NOT excluded.cron OR s.zone <> excluded.zone
                                OR s.every_ms IS NOT excluded.every_ms
                           THEN max(s.last_tick, excluded.last_tick) ELSE s.last_tick END\
          """;

  private static final String SCHEDULE_SELECT =
      """
      SELECT s.name, s.kind, s.args, s.queue, s.priority, s.max_attempts, s.cron, s.zone, s.every_ms, s.catch_up,
             s.paused, s.declared, s.disabled, s.last_tick, j.id AS last_job_id, j.state AS last_job_state
      FROM offload_schedules s
      LEFT JOIN offload_jobs j ON j.id = (SELECT max(id) FROM offload_jobs WHERE schedule = s.name)
      """;

  static final String SCHEDULE_LIST = SCHEDULE_SELECT + "ORDER BY s.name";

  static final String SCHEDULE_GET = SCHEDULE_SELECT + "WHERE s.name = ?";

  static final String SCHEDULE_DELETE = "DELETE FROM offload_schedules WHERE name = ?";

  static final String SCHEDULE_PAUSE =
      """
      UPDATE offload_schedules
      SET paused = ?1, last_tick = CASE WHEN paused AND NOT ?1 THEN max(last_tick, ?2) ELSE last_tick END
      WHERE name = ?3\
      """;

  static final String SCHEDULE_DISABLE_UNDECLARED =
      """
      UPDATE offload_schedules SET disabled = 1
      WHERE declared AND NOT disabled AND name NOT IN (SELECT value FROM json_each(?))\
      """;

  // The guard of exactly-once, in the BEGIN IMMEDIATE transaction that inserts the tick's job: only
  // the first writer to move last_tick past a tick changes the row.
  static final String SCHEDULE_ADVANCE =
      """
      UPDATE offload_schedules SET last_tick = ?1
      WHERE name = ?2 AND last_tick < ?1 AND NOT paused AND NOT disabled\
      """;

  // Takes the row when it is free, expired, or already ours; RETURNING yields a row only when the
  // insert or the update happened, that is, when node holds leadership now.
  static final String LEADER_ATTEMPT_ELECT =
      """
      INSERT INTO offload_leader (name, node, expires_at) VALUES ('leader', ?1, ?2)
      ON CONFLICT (name) DO UPDATE SET node = excluded.node, expires_at = excluded.expires_at
      WHERE offload_leader.node = excluded.node OR offload_leader.expires_at < ?3
      RETURNING node\
      """;

  static final String LEADER_RESIGN =
      "DELETE FROM offload_leader WHERE name = 'leader' AND node = ?";

  static final String MIGRATIONS_TABLE =
      """
      CREATE TABLE IF NOT EXISTS offload_migrations (
        version    INTEGER PRIMARY KEY,
        applied_at INTEGER NOT NULL
      )\
      """;

  static final String MIGRATIONS_APPLIED = "SELECT version FROM offload_migrations";

  static final String MIGRATIONS_TABLE_EXISTS =
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'offload_migrations'";

  static final String MIGRATIONS_CURRENT =
      "SELECT coalesce(max(version), 0) FROM offload_migrations";

  static final String MIGRATION_RECORD =
      "INSERT INTO offload_migrations (version, applied_at) VALUES (?, ?)";
}
