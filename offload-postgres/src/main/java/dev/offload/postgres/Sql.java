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
  final String notify;

  private static final String JOB_COLUMNS = """
      id, kind, queue, state, priority, args::text, attempt, max_attempts, run_at, created_at,
      started_at, finished_at, lease_owner, errors::text, result::text, progress::text, checkpoint::text""";

  Sql(String schema, String insertChannel) {
    insertMany = fill(schema, """
        WITH ins AS (
          INSERT INTO {schema}.jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at)
          SELECT kind, queue, priority::smallint, args::jsonb, max_attempts, state, run_at::timestamptz, created_at::timestamptz
          FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[])
            AS t(kind, queue, priority, args, max_attempts, state, run_at, created_at)
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
        RETURNING j.id, j.kind, j.queue, j.args::text, j.attempt, j.max_attempts, j.priority, j.checkpoint::text, j.run_at""");

    completeMany = fill(schema, """
        UPDATE {schema}.jobs j
        SET state = c.state,
            finished_at = CASE WHEN c.state IN ('succeeded', 'dead', 'cancelled') THEN c.at END,
            run_at = COALESCE(c.run_at, j.run_at),
            result = COALESCE(c.result, j.result),
            errors = CASE WHEN c.error IS NULL THEN j.errors ELSE j.errors || jsonb_build_array(c.error) END,
            lease_expires_at = NULL,
            claim_token = NULL
        FROM (
          SELECT id, token, state, at::timestamptz, run_at::timestamptz, result::jsonb, error::jsonb, lease_cutoff::timestamptz
          FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
            AS t(id, token, state, at, run_at, result, error, lease_cutoff)
        ) c
        WHERE j.id = c.id AND j.claim_token = c.token AND j.state = 'running'
          AND (c.lease_cutoff IS NULL OR j.lease_expires_at < c.lease_cutoff)
        RETURNING j.id""");

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

    list = fill(schema, "SELECT " + JOB_COLUMNS + """
         FROM {schema}.jobs
        WHERE id < ? AND (?::text IS NULL OR state = ?) AND (?::text IS NULL OR queue = ?) AND (?::text IS NULL OR kind = ?)
        ORDER BY id DESC
        LIMIT ?""");

    kindAnnounce = fill(schema, """
        INSERT INTO {schema}.kinds (kind, announced_at)
        SELECT k, ? FROM unnest(?::text[]) AS k
        ON CONFLICT (kind) DO UPDATE SET announced_at = excluded.announced_at""");

    kindKnown = fill(schema, "SELECT 1 FROM {schema}.kinds WHERE kind = ?");

    notify = "SELECT pg_notify(?, ?)";
  }

  private static String fill(String schema, String sql) {
    return sql.replace("{schema}", schema);
  }
}
