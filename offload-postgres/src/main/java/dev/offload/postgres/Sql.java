package dev.offload.postgres;

/**
 * Every statement of the PostgreSQL store, complete, with {@code {schema}} filled in once. Arrays
 * are passed as {@code text[]} and cast in SQL, so one statement serves a batch of any size.
 */
final class Sql {
  final String insertMany;
  final String claim;
  final String completeMany;
  final String heartbeat;
  final String releaseMany;
  final String getStuck;
  final String get;
  final String list;
  final String kindAnnounce;
  final String kindKnown;
  final String progressMany;
  final String checkpoint;
  final String recentProgress;

  private static final String JOB_COLUMNS = """
      id, kind, queue, state, priority, args::text, attempt, max_attempts, run_at, created_at,
      started_at, finished_at, lease_owner, errors::text, result::text, progress::text, checkpoint::text,
      failed_items::text, parent_id""";

  // Watchers learn which jobs changed: ids joined by commas, at most 500 per notification so a
  // payload stays under PostgreSQL's 8,000-byte limit.
  private static final String NOTIFY_CHANGED = """
      changed AS (
        SELECT pg_notify('%s', string_agg(id::text, ','))
        FROM (SELECT id, (row_number() OVER ()) / 500 AS grp FROM %s) ids GROUP BY grp
      )""";

  Sql(String schema, String insertChannel, String jobChannel) {
    insertMany = fill(schema, """
        WITH ins AS (
          INSERT INTO {schema}.jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at, parent_id, retry_items)
          SELECT kind, queue, priority::smallint, args::jsonb, max_attempts, state, run_at::timestamptz, created_at::timestamptz,
                 parent_id, retry_items::jsonb
          FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[])
            AS t(kind, queue, priority, args, max_attempts, state, run_at, created_at, parent_id, retry_items)
          RETURNING id, queue
        ),
        -- One NOTIFY per queue per insert, not per job; PostgreSQL delivers it on commit.
        woken AS (SELECT pg_notify('%s', queue) FROM (SELECT DISTINCT queue FROM ins) q)
        SELECT id, (SELECT count(*) FROM woken) FROM ins""".formatted(insertChannel));

    // The CTE picks and locks the rows first; a plain UPDATE ... WHERE id IN (SELECT ... LIMIT)
    // may be planned to lock more rows than the limit and block on rows other workers hold.
    claim = fill(schema, """
        WITH next AS (
          SELECT id FROM {schema}.jobs
          WHERE queue = ? AND state IN ('scheduled', 'available', 'retrying') AND run_at <= ? AND kind = ANY(?::text[])
          ORDER BY priority, run_at, id
          LIMIT ?
          FOR UPDATE SKIP LOCKED
        )
        UPDATE {schema}.jobs j
        SET state = 'running', attempt = j.attempt + 1, lease_owner = ?, lease_expires_at = ?,
            claim_token = ?, started_at = ?
        FROM next WHERE j.id = next.id
        RETURNING j.id, j.kind, j.queue, j.args::text, j.attempt, j.max_attempts, j.priority, j.checkpoint::text,
                  j.failed_items::text, j.retry_items::text, j.run_at""");

    completeMany = fill(schema, """
        WITH done AS (
        UPDATE {schema}.jobs j
        SET state = c.state,
            finished_at = CASE WHEN c.state IN ('succeeded', 'dead', 'cancelled') THEN c.at END,
            run_at = COALESCE(c.run_at, j.run_at),
            result = COALESCE(c.result, j.result),
            errors = CASE WHEN c.error IS NULL THEN j.errors ELSE j.errors || jsonb_build_array(c.error) END,
            progress = COALESCE(c.progress, j.progress),
            failed_items = COALESCE(c.failed_items, j.failed_items),
            lease_expires_at = NULL,
            claim_token = NULL
        FROM (
          SELECT id, token, state, at::timestamptz, run_at::timestamptz, result::jsonb, error::jsonb, lease_cutoff::timestamptz,
                 progress::jsonb, failed_items::jsonb
          FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
            AS t(id, token, state, at, run_at, result, error, lease_cutoff, progress, failed_items)
        ) c
        WHERE j.id = c.id AND j.claim_token = c.token AND j.state = 'running'
          AND (c.lease_cutoff IS NULL OR j.lease_expires_at < c.lease_cutoff)
        RETURNING j.id
        ),
        """ + NOTIFY_CHANGED.formatted(jobChannel, "done") + """
        SELECT id, (SELECT count(*) FROM changed) FROM done""");

    progressMany = fill(schema, """
        WITH done AS (
          UPDATE {schema}.jobs j SET progress = u.progress::jsonb
          FROM unnest(?::bigint[], ?::bigint[], ?::text[]) AS u(id, token, progress)
          WHERE j.id = u.id AND j.claim_token = u.token AND j.state = 'running'
          RETURNING j.id
        ),
        """ + NOTIFY_CHANGED.formatted(jobChannel, "done") + """
        SELECT id, (SELECT count(*) FROM changed) FROM done""");

    checkpoint = fill(schema, """
        UPDATE {schema}.jobs SET checkpoint = ?::jsonb, failed_items = COALESCE(?::jsonb, failed_items)
        WHERE id = ? AND claim_token = ? AND state = 'running'""");

    recentProgress = fill(schema, """
        SELECT progress::text FROM {schema}.jobs
        WHERE kind = ? AND state = 'succeeded' AND progress IS NOT NULL
        ORDER BY id DESC LIMIT ?""");

    heartbeat = fill(schema, """
        UPDATE {schema}.jobs SET lease_expires_at = ?
        WHERE state = 'running' AND lease_owner = ? AND id = ANY(?::bigint[])""");

    releaseMany = fill(schema, """
        WITH released AS (
          UPDATE {schema}.jobs j
          SET state = 'available', attempt = j.attempt - 1, run_at = ?, lease_owner = NULL,
              lease_expires_at = NULL, claim_token = NULL, started_at = NULL
          FROM unnest(?::bigint[], ?::bigint[]) AS r(id, token)
          WHERE j.id = r.id AND j.claim_token = r.token AND j.state = 'running'
          RETURNING j.queue
        ),
        woken AS (SELECT pg_notify('%s', queue) FROM (SELECT DISTINCT queue FROM released) q)
        SELECT (SELECT count(*) FROM released), (SELECT count(*) FROM woken)""".formatted(insertChannel));

    getStuck = fill(schema, """
        SELECT id, kind, attempt, max_attempts, claim_token, lease_owner FROM {schema}.jobs
        WHERE state = 'running' AND lease_expires_at < ?
        ORDER BY lease_expires_at
        LIMIT ?""");

    get = fill(schema, "SELECT " + JOB_COLUMNS + " FROM {schema}.jobs WHERE id = ?");

    // Filters are appended per call (see PostgresStore.jobList): a generic plan for
    // "(? IS NULL OR state = ?)" could not use the (state, id) index.
    list = fill(schema, "SELECT " + JOB_COLUMNS + " FROM {schema}.jobs WHERE id < ?");

    kindAnnounce = fill(schema, """
        INSERT INTO {schema}.kinds (kind, announced_at)
        SELECT k, ? FROM unnest(?::text[]) AS k
        ON CONFLICT (kind) DO UPDATE SET announced_at = excluded.announced_at""");

    kindKnown = fill(schema, "SELECT 1 FROM {schema}.kinds WHERE kind = ?");

  }

  private static String fill(String schema, String sql) {
    return sql.replace("{schema}", schema);
  }
}
