package dev.offload.postgres;

import dev.offload.JobOptions;
import dev.offload.store.Store.JobAction;
import dev.offload.store.jdbc.JdbcRows;

/**
 * Every statement of the PostgreSQL store, complete, with {@code {schema}} filled in once, and the
 * states an action may start from filled in from {@link JobAction}. Arrays are passed as {@code
 * text[]} and cast in SQL, so one statement serves a batch of any size.
 */
final class Sql {
  final String insertMany;
  final String insertManyKeyed;
  final String insertManyShared;
  final String insertOne;
  final String insertOneOwn;
  final String insertUnique;
  final String uniqueFinished;
  final String uniqueLive;
  final String uniqueReplace;
  final String idempotencyGet;
  final String claim;
  final String claimInserted;
  final String insertClaimed;
  final String claimLockThenSettings;
  final String slotsLockThenRead;
  final String slotsWrite;
  final String slotsRelease;
  final String claimRateGet;
  final String claimCandidates;
  final String claimInOrder;
  final String claimCandidatesOnePerKey;
  final String claimIds;
  final String claimRateAdvance;
  final String completeMany;
  final String heartbeat;
  final String releaseMany;
  final String getStuck;
  final String get;
  final String list;
  final String listWithoutArgs;
  final String listWithoutResult;
  final String listWithoutEither;
  final JdbcRows.FilterClauses filters;
  final String kindAnnounce;
  final String kindKnown;
  final String progressMany;
  final String prune;
  final String queueCounts;
  final String queueCountsCompact;
  final String queueLastMinute;
  final String queuesPaused;
  final String queuePause;
  final String queueSettingsList;
  final String jobRunningLease;
  final String queueSettingsPut;
  final String queueFlow;
  final String queueRatesReset;
  final String lockState;
  final String cancelPending;
  final String cancelRunning;
  final String retryFresh;
  final String runNow;
  final String delete;
  final String replayMany;
  final String deleteMany;
  final String checkpoint;
  final String startMany;
  final String queueClaimed;
  final String recentProgress;
  final String kindStats;
  final String scheduleInsert;
  final String scheduleUpsert;
  final String scheduleList;
  final String scheduleGet;
  final String scheduleDelete;
  final String schedulePause;
  final String scheduleDisableUndeclared;
  final String scheduleAdvance;
  final String workflowInsert;
  final String workflowStepsInsert;
  final String workflowDepsInsert;
  final String workflowGet;
  final String workflowSteps;
  final String workflowStepResult;
  final String workflowMarkCancelled;
  final String workflowCancelPending;
  final String workflowCancelRunning;
  final String workflowUnmarkCancelled;
  final String workflowRearm;
  final String lockDependents;
  final String cancelDependents;
  final String releaseDependents;
  final String releaseWorkflow;
  final String unfinishedDependents;
  final String rearmDependents;
  final String waitIfDependencies;
  final String workflowGroupsInsert;
  final String lockAddingStep;
  final String stepByName;
  final String addedStepInsert;
  final String depInsert;
  final String groupMembersDeps;
  final String lockGroupJoins;
  final String dependsOnAny;

  private static final String JOB_COLUMNS =
      """
      id, kind, queue, state, priority, args::text, attempt, max_attempts, run_at, created_at,
      started_at, finished_at, lease_owner, errors::text, result::text, progress::text, checkpoint::text,
      failed_items::text, parent_id, schedule, workflow_id, step, concurrency_key, unique_key\
      """;

  // Watchers learn which jobs changed: ids joined by commas, at most 500 per notification so a
  // payload stays under PostgreSQL's 8,000-byte limit.
  private static final String NOTIFY_CHANGED =
      """
      changed AS (
        SELECT pg_notify('%s', string_agg(id::text, ','))
        FROM (SELECT id, (row_number() OVER ()) / 500 AS grp FROM %s) ids GROUP BY grp
      )\
      """;

  Sql(String schema, String insertChannel, String jobChannel) {
    // A batch without idempotency keys: a plain insert (no speculative insertion per row), ids in
    // input order (RETURNING follows the order of unnest). One NOTIFY per queue per insert, not per
    // job (the queues come as the last parameter); PostgreSQL delivers it on commit.
    String woken =
        "woken AS (SELECT pg_notify('%s', q) FROM unnest(?::text[]) AS q)".formatted(insertChannel);
    insertMany =
        "WITH ins AS (\n"
            + InsertColumns.insert(schema, "", "id")
            + "\n),\n"
            + woken
            + "\nSELECT id, (SELECT count(*) FROM woken) FROM ins";
    insertManyShared = InsertColumns.insertShared(schema, insertChannel);
    insertOne = InsertColumns.insertOne(schema, insertChannel);
    insertOneOwn = InsertColumns.insertOneOwn(schema, insertChannel);
    // A job whose key is taken is not inserted; the no-op update makes RETURNING give the stored
    // job's id in its place (even when another transaction committed it after this statement's
    // snapshot), so ids stay one per input row, in order. The stored kind and args of a keyed job
    // come back for the store to check they match the request.
    insertManyKeyed =
        "WITH ins AS (\n"
            + InsertColumns.insert(
                schema,
                """
                ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL
                  DO UPDATE SET idempotency_key = excluded.idempotency_key\
                """,
                "id, idempotency_key, kind, args")
            + "\n),\n"
            + woken
            + """

            SELECT id, (SELECT count(*) FROM woken),
                   CASE WHEN idempotency_key IS NOT NULL THEN kind END,
                   CASE WHEN idempotency_key IS NOT NULL THEN args::text END
            FROM ins\
            """;

    // A job with a unique key, one at a time: any conflict (its unique key while a job with it is
    // pending or running, or its idempotency key) inserts nothing, and the store then looks up the
    // job that holds the key. The unique index settles races between nodes.
    insertUnique =
        fill(
            schema,
            """
            INSERT INTO {schema}.jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at, parent_id, retry_items,
                                       idempotency_key, concurrency_key, unique_key, headers)
            VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb)
            ON CONFLICT DO NOTHING
            RETURNING id\
            """);

    uniqueFinished =
        fill(
            schema,
            """
            SELECT id FROM {schema}.jobs WHERE unique_key = ? AND finished_at > ? ORDER BY finished_at DESC LIMIT 1\
            """);

    uniqueLive =
        fill(
            schema,
            """
            SELECT id FROM {schema}.jobs WHERE unique_key = ? AND state IN ('scheduled', 'available', 'running', 'retrying')\
            """);

    // Debounce: a duplicate that has not started yet takes the new args, run time and priority.
    uniqueReplace =
        fill(
            schema,
            """
            UPDATE {schema}.jobs SET args = ?::jsonb, run_at = ?, priority = ?, state = ?
            WHERE unique_key = ? AND state IN ('scheduled', 'available') AND attempt = 0
            RETURNING id\
            """);

    idempotencyGet =
        fill(schema, "SELECT id, kind, args::text FROM {schema}.jobs WHERE idempotency_key = ?");

    // What makes a queue claimable by the lock-free claims (and by the insert of a job as claimed):
    // a queue with flow control is claimed only by the locked path (claimCandidates), and a queue
    // limit only by a node that leases its slots (queueSlots): a node whose copy of the settings
    // is a second old claims nothing here.
    String queueClaimable =
        """
        NOT EXISTS (SELECT 1 FROM {schema}.queues q WHERE q.name = ? AND (q.paused
          OR (q.max_running IS NOT NULL AND NOT ?::boolean)
          OR q.per_key IS NOT NULL OR q.rate_count IS NOT NULL OR q.fair OR q.aging_ms IS NOT NULL))\
        """;
    // What makes a job of the queue claimable by the lock-free claims (after its queue and, for
    // the claim, its priority level are fixed): runnable now, of a kind this node runs, and its
    // queue claimable.
    String claimable =
        """
        state IN ('scheduled', 'available', 'retrying') AND run_at <= ?
        -- A push queue's dispatcher claims every kind (ClaimParams.ANY_KIND, '*').
        AND (kind = ANY(?::text[]) OR '*' = ANY(?::text[]))
        AND
        """
            + queueClaimable;
    String claimNext =
        """
        UPDATE {schema}.jobs j
        SET state = 'running', attempt = j.attempt + 1, lease_owner = ?,
            -- Leases are on the database's clock: nodes whose clocks disagree still agree on them.
            lease_expires_at = now() + ?::bigint * interval '1 millisecond',
            -- Claimed, not started: the handler's start is written when a slot runs it (startMany).
            claim_token = ?, started_at = NULL
        FROM next WHERE j.id = next.id
        RETURNING j.id, j.kind, j.queue, j.args::text, j.attempt, j.max_attempts, j.priority, j.checkpoint::text,
                  j.failed_items::text, j.retry_items::text, j.run_at, j.headers::text\
        """;
    // The CTE picks and locks the rows first; a plain UPDATE ... WHERE id IN (SELECT ... LIMIT)
    // may be planned to lock more rows than the limit and block on rows other workers hold.
    // One index range per priority level, in priority order: within (queue, priority) the claim
    // index is ordered by run_at, so each range ends at the first job not yet due. One scan of the
    // whole queue would walk every job scheduled for later (a million scheduled for tomorrow cost
    // ~300 ms per claim, even with nothing due). The nested loop yields the levels in order and
    // stops pulling, and locking, once the outer LIMIT is met.
    claim =
        fill(
            schema,
            """
            WITH next AS (
              SELECT j.id FROM generate_series(0, %d) AS p(priority)
              CROSS JOIN LATERAL (
                SELECT id FROM {schema}.jobs
                WHERE queue = ? AND priority = p.priority AND
            %s
                ORDER BY run_at, id
                LIMIT ?
                FOR UPDATE SKIP LOCKED
              ) j
              LIMIT ?
            )
            %s\
            """
                .formatted(JobOptions.MAX_PRIORITY, claimable, claimNext));

    // The claim of a job this node has just inserted, by its id, while the queue was idle here:
    // the same rules as the claim, but the primary key instead of the claim index, whose head holds
    // an entry of every job claimed since the last VACUUM (750 pages after 100,000 jobs).
    String claimById =
        """
        WITH next AS (
          SELECT id FROM {schema}.jobs
          WHERE id = %s AND queue = ? AND
        %s
          FOR UPDATE SKIP LOCKED
        )
        %s\
        """;
    claimInserted = fill(schema, claimById.formatted("?", claimable, claimNext));

    // One job inserted in a transaction of its own by the node that will run it, as claimed by
    // that node (jobInsertThenClaim): one statement, one commit, one row version.
    insertClaimed =
        fill(schema, InsertColumns.insertOneClaimed("{schema}", insertChannel, queueClaimable));

    // The flow-controlled claim (a per-key limit, a rate, fairness or aging), one transaction: a
    // lock per queue serialises its claims across nodes (and only its claims: other queues and
    // every other write go on), then what runs of each key is counted from the rows (running with a
    // live lease) rather than kept in a counter. Rates are measured on the database's clock, as
    // leases are; the lock statement also reads it (epoch microseconds). Then the settings: a
    // statement of its own sent in the same round trip, so (READ COMMITTED) its snapshot is taken
    // after the lock is held and sees every claim committed before it. A queue limit is not counted
    // here: nodes hold its slots as leases (queueSlots).
    claimLockThenSettings =
        fill(
            schema,
            """
            SELECT pg_advisory_xact_lock(hashtext(?)), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
            SELECT name, paused, true, max_running, per_key, rate_count, rate_period_ms, rate_per_key, fair, aging_ms
            FROM {schema}.queues q WHERE name = ?\
            """);

    // A node's slots of a queue limit (PostgresStore.queueSlots): under a lock for the queue's
    // slots (not its claims' lock: claims never wait for it), the database's clock, the limit and
    // the other nodes' live leases, in one round trip; the lease is then written with the lapsed
    // ones deleted.
    slotsLockThenRead =
        fill(
            schema,
            """
            SELECT pg_advisory_xact_lock(hashtext(?)), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
            SELECT max_running FROM {schema}.queues WHERE name = ?;
            SELECT node, held, wanted FROM {schema}.queue_slots
            WHERE queue = ? AND node <> ? AND expires_us > (extract(epoch FROM clock_timestamp()) * 1000000)::bigint\
            """);
    slotsWrite =
        fill(
            schema,
            """
            DELETE FROM {schema}.queue_slots WHERE queue = ? AND expires_us <= ?;
            INSERT INTO {schema}.queue_slots (queue, node, held, wanted, expires_us) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (queue, node) DO UPDATE
              SET held = excluded.held, wanted = excluded.wanted, expires_us = excluded.expires_us\
            """);
    slotsRelease =
        fill(
            schema,
            """
            DELETE FROM {schema}.queue_slots WHERE queue = ? AND node = ?\
            """);

    claimRateGet =
        fill(schema, "SELECT tat_us FROM {schema}.queue_rates WHERE queue = ? AND key = ?");

    // Runnable jobs ranked within their key (nth = 1 is a key's most urgent job): a key takes at
    // most its room left (perKey minus what runs of it) and, with a rate per key, the starts its
    // rate allows now. Fair queues order by that rank first, so keys take turns. Aging makes a job
    // one priority level more urgent per period it waited past its run time.
    claimCandidates =
        fill(
            schema,
            """
            WITH p AS (
              SELECT ?::text AS q, ?::timestamptz AS now, ?::bigint AS now_us, ?::text[] AS kinds, ?::int AS per_key,
                     ?::boolean AS rate_per_key, ?::bigint AS interval_us, ?::bigint AS tolerance_us, ?::bigint AS aging_ms,
                     ?::boolean AS fair
            ),
            running AS (
              SELECT j.concurrency_key AS ckey, count(*) AS n
              FROM {schema}.jobs j, p
              WHERE j.queue = p.q AND j.state = 'running' AND j.lease_expires_at > clock_timestamp()
                AND j.concurrency_key IS NOT NULL
              GROUP BY j.concurrency_key
            ),
            runnable AS (
              SELECT j.id, j.concurrency_key AS ckey, j.run_at,
                     CASE WHEN p.aging_ms IS NULL THEN j.priority
                          ELSE greatest(0, j.priority - floor(extract(epoch FROM p.now - j.run_at) * 1000 / p.aging_ms)) END AS urgency
              FROM {schema}.jobs j, p
              WHERE j.queue = p.q AND j.state IN ('scheduled', 'available', 'retrying') AND j.run_at <= p.now
                AND (j.kind = ANY(p.kinds) OR '*' = ANY(p.kinds))
            ),
            ranked AS (
              SELECT r.*, row_number() OVER (PARTITION BY r.ckey ORDER BY r.urgency, r.run_at, r.id) AS nth FROM runnable r
            )
            SELECT r.id FROM ranked r CROSS JOIN p
              LEFT JOIN running c ON c.ckey = r.ckey
              LEFT JOIN {schema}.queue_rates t ON p.rate_per_key AND t.queue = p.q AND t.key = coalesce(r.ckey, '')
            WHERE (p.per_key IS NULL OR r.ckey IS NULL OR r.nth <= p.per_key - coalesce(c.n, 0))
              AND (NOT p.rate_per_key OR r.nth <= CASE
                    WHEN greatest(coalesce(t.tat_us, p.now_us), p.now_us) > p.now_us + p.tolerance_us THEN 0
                    ELSE (p.now_us + p.tolerance_us - greatest(coalesce(t.tat_us, p.now_us), p.now_us)) / p.interval_us + 1 END)
            ORDER BY CASE WHEN p.fair THEN r.nth ELSE 0 END, r.urgency, r.run_at, r.id
            LIMIT ?\
            """);

    // A queue whose limits do not look at keys (maxRunning, a rate for the whole queue) and that
    // neither interleaves keys nor ages needs no ranking: its next jobs in plain claim order, from
    // the same index as the lock-free claim, picked and claimed in one statement. No row locks are
    // needed (the queue's lock keeps other claimers out); the state check drops a job that was
    // cancelled or deleted meanwhile.
    claimInOrder =
        fill(
            schema,
            """
            WITH next AS (
              SELECT id FROM {schema}.jobs
              WHERE queue = ? AND state IN ('scheduled', 'available', 'retrying') AND run_at <= ?
                AND (kind = ANY(?::text[]) OR '*' = ANY(?::text[]))
              ORDER BY priority, run_at, id
              LIMIT ?
            )
            UPDATE {schema}.jobs j
            SET state = 'running', attempt = j.attempt + 1, lease_owner = ?,
                lease_expires_at = now() + ?::bigint * interval '1 millisecond', claim_token = ?, started_at = ?
            FROM next WHERE j.id = next.id AND j.state IN ('scheduled', 'available', 'retrying')
            RETURNING j.id, j.kind, j.queue, j.args::text, j.attempt, j.max_attempts, j.priority, j.checkpoint::text,
                      j.failed_items::text, j.retry_items::text, j.run_at, j.concurrency_key, j.headers::text\
            """);

    // A per-key limit of 1 (no aging, no rate per key): a key's candidate is its most urgent
    // runnable job, and "fair" order (each key's first job, then each key's second, ...) is plain
    // claim order. So the runnable rows are read in claim order from the claim index, a key that
    // runs already (or that this claim took already, the array) is skipped by a probe of the
    // running rows' index, and the caller keeps the first row of each key: no window over every
    // runnable row, no sort. The LIMIT bounds a read; when it is used up by rows of keys already
    // taken, the caller reads again with those keys in the array.
    claimCandidatesOnePerKey =
        fill(
            schema,
            """
            SELECT j.id, j.concurrency_key FROM {schema}.jobs j
            WHERE j.queue = ? AND j.state IN ('scheduled', 'available', 'retrying') AND j.run_at <= ?
              AND (j.kind = ANY(?::text[]) OR '*' = ANY(?::text[]))
              AND (j.concurrency_key IS NULL OR (j.concurrency_key <> ALL(?::text[]) AND (
                SELECT count(*) FROM {schema}.jobs r
                WHERE r.queue = j.queue AND r.concurrency_key = j.concurrency_key
                  AND r.state = 'running' AND r.lease_expires_at > clock_timestamp()) = 0))
              AND j.id <> ALL(?::bigint[])
            ORDER BY j.priority, j.run_at, j.id
            LIMIT ?\
            """);

    // The candidates are not row-locked (a window function cannot be); the state check makes a job
    // that was cancelled or deleted meanwhile drop out instead of being claimed.
    claimIds =
        fill(
            schema,
            """
            UPDATE {schema}.jobs j
            SET state = 'running', attempt = j.attempt + 1, lease_owner = ?,
                lease_expires_at = now() + ?::bigint * interval '1 millisecond', claim_token = ?, started_at = ?
            WHERE j.id = ANY(?::bigint[]) AND j.state IN ('scheduled', 'available', 'retrying')
            RETURNING j.id, j.kind, j.queue, j.args::text, j.attempt, j.max_attempts, j.priority, j.checkpoint::text,
                      j.failed_items::text, j.retry_items::text, j.run_at, j.concurrency_key, j.headers::text\
            """);

    // Moves each key's TAT on by the starts just claimed: max(tat, now) + n * interval. A new row
    // gets now + n * interval.
    claimRateAdvance =
        fill(
            schema,
            """
            INSERT INTO {schema}.queue_rates AS t (queue, key, tat_us)
            SELECT ?, k, ?::bigint + n * ?::bigint FROM unnest(?::text[], ?::int[]) AS s(k, n)
            ON CONFLICT (queue, key) DO UPDATE SET tat_us = greatest(t.tat_us, ?::bigint) + (excluded.tat_us - ?::bigint)\
            """);

    completeMany =
        fill(
            schema,
            """
            WITH done AS (
            UPDATE {schema}.jobs j
            -- A cancellation requested from any node wins over every outcome but success.
            SET state = CASE WHEN j.cancel_requested_at IS NOT NULL AND c.state <> 'succeeded' THEN 'cancelled' ELSE c.state END,
                finished_at = CASE WHEN c.state IN ('succeeded', 'dead', 'cancelled') OR j.cancel_requested_at IS NOT NULL THEN c.at END,
                attempt = j.attempt - CASE WHEN c.refund THEN 1 ELSE 0 END,
                run_at = COALESCE(c.run_at, j.run_at),
                result = COALESCE(c.result, j.result),
                errors = CASE WHEN c.error IS NULL THEN j.errors ELSE j.errors || jsonb_build_array(c.error) END,
                progress = COALESCE(c.progress, j.progress),
                failed_items = COALESCE(c.failed_items, j.failed_items),
                lease_expires_at = NULL,
                claim_token = NULL,
                -- A job that ends before its start was written brings the start along.
                started_at = COALESCE(j.started_at, c.started_at),
                first_started_at = COALESCE(j.first_started_at, c.started_at),
                first_due_at = CASE WHEN j.first_started_at IS NULL AND c.started_at IS NOT NULL THEN j.run_at ELSE j.first_due_at END
            FROM (
              SELECT id, token, state, at::timestamptz, run_at::timestamptz, result::jsonb, error::jsonb, lease_cutoff::timestamptz,
                     progress::jsonb, failed_items::jsonb, refund, started_at::timestamptz
              FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                          ?::boolean[], ?::text[])
                AS t(id, token, state, at, run_at, result, error, lease_cutoff, progress, failed_items, refund, started_at)
            ) c
            -- A claim token exists only while the job runs: matching it is the running check. Leaving
            -- out "state = 'running'" keeps the planner on primary-key lookups even without statistics
            -- (it otherwise may scan the state index, which made completions crawl on a fresh table).
            WHERE j.id = c.id AND j.claim_token = c.token
              AND (c.lease_cutoff IS NULL OR j.lease_expires_at < c.lease_cutoff)
            RETURNING j.id, j.workflow_id, j.state
            ),
            """
                + NOTIFY_CHANGED.formatted(jobChannel, "done")
                + """
                -- The third column says which ended workflow steps may release dependents.
                SELECT id, (SELECT count(*) FROM changed), workflow_id IS NOT NULL AND state IN ('succeeded', 'dead', 'cancelled')
                FROM done\
                """);

    progressMany =
        fill(
            schema,
            """
            WITH done AS (
              UPDATE {schema}.jobs j SET progress = u.progress::jsonb
              FROM unnest(?::bigint[], ?::bigint[], ?::text[]) AS u(id, token, progress)
              WHERE j.id = u.id AND j.claim_token = u.token
              RETURNING j.id
            ),
            """
                + NOTIFY_CHANGED.formatted(jobChannel, "done")
                + """
                SELECT id, (SELECT count(*) FROM changed) FROM done\
                """);

    startMany =
        fill(
            schema,
            """
            UPDATE {schema}.jobs j
            SET started_at = s.at::timestamptz,
                first_started_at = COALESCE(j.first_started_at, s.at::timestamptz),
                first_due_at = CASE WHEN j.first_started_at IS NULL THEN j.run_at ELSE j.first_due_at END
            FROM unnest(?::bigint[], ?::bigint[], ?::text[]) AS s(id, token, at)
            WHERE j.id = s.id AND j.claim_token = s.token AND j.started_at IS NULL
            RETURNING j.id\
            """);

    checkpoint =
        fill(
            schema,
            """
            UPDATE {schema}.jobs SET checkpoint = ?::jsonb, failed_items = COALESCE(?::jsonb, failed_items)
            WHERE id = ? AND claim_token = ?\
            """);

    // A job's whole time, from its first start to its end across attempts and backoff, and its
    // queue wait before that first start; jobs from before the first start was kept fall back to
    // their last attempt.
    kindStats =
        fill(
            schema,
            """
            SELECT kind, count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY ms),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY ms),
                   max(ms),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_ms),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY wait_ms)
            FROM (
              SELECT kind, extract(epoch FROM finished_at - COALESCE(first_started_at, started_at)) * 1000 AS ms,
                     greatest(0, extract(epoch FROM first_started_at - first_due_at) * 1000) AS wait_ms,
                     row_number() OVER (PARTITION BY kind ORDER BY finished_at DESC) AS recent
              FROM {schema}.jobs
              WHERE state = 'succeeded' AND finished_at >= ? AND COALESCE(first_started_at, started_at) IS NOT NULL
            ) runs
            WHERE recent <= 1000
            GROUP BY kind ORDER BY kind\
            """);

    recentProgress =
        fill(
            schema,
            """
            SELECT progress::text FROM {schema}.jobs
            WHERE kind = ? AND state = 'succeeded' AND progress IS NOT NULL
            ORDER BY id DESC LIMIT ?\
            """);

    heartbeat =
        fill(
            schema,
            """
            UPDATE {schema}.jobs j SET lease_expires_at = now() + ?::bigint * interval '1 millisecond'
            FROM unnest(?::bigint[], ?::bigint[]) AS l(id, token)
            WHERE j.id = l.id AND j.claim_token = l.token AND j.lease_owner = ?
            RETURNING j.id, j.claim_token, j.cancel_requested_at IS NOT NULL\
            """);

    prune =
        fill(
            schema,
            """
            DELETE FROM {schema}.jobs WHERE id IN (
              SELECT id FROM {schema}.jobs WHERE state = ? AND finished_at < ? ORDER BY finished_at LIMIT ?
            )\
            """);

    // Counts kept by the jobs table's triggers (migration 009), one row per queue, state and
    // writing backend: a few dozen rows, however many jobs there are. The last column is how many
    // rows were added up, so the store knows when to fold in the rows of backends that are gone.
    queueCounts =
        fill(
            schema,
            """
            SELECT queue, state, sum(n), (SELECT count(*) FROM {schema}.job_counts) FROM {schema}.job_counts
            GROUP BY queue, state HAVING sum(n) <> 0\
            """);

    // Folds the counter rows of backends that have gone into slot 0, in one statement, so the
    // totals never change; one node at a time (two could lock each other's rows in turn).
    queueCountsCompact =
        fill(
            schema,
            """
            WITH gone AS (
              DELETE FROM {schema}.job_counts c
              WHERE (SELECT pg_try_advisory_xact_lock(hashtext('offload.counts:{schema}'))) AND c.slot <> 0
                AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = c.slot)
              RETURNING queue, state, n
            )
            INSERT INTO {schema}.job_counts AS c (queue, state, slot, n)
            SELECT queue, state, 0, sum(n) FROM gone GROUP BY queue, state ORDER BY queue, state
            ON CONFLICT (queue, state, slot) DO UPDATE SET n = c.n + excluded.n\
            """);

    queueLastMinute =
        fill(
            schema,
            """
            SELECT queue, count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - run_at) * 1000),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at) * 1000)
            FROM {schema}.jobs
            WHERE state IN ('succeeded', 'dead', 'cancelled') AND finished_at >= ?
            GROUP BY queue\
            """);

    // Running jobs whose handler has not started: claimed ahead, held for a free slot.
    queueClaimed =
        fill(
            schema,
            """
            SELECT queue, count(*) FROM {schema}.jobs WHERE state = 'running' AND started_at IS NULL GROUP BY queue\
            """);

    queuesPaused = fill(schema, "SELECT name, paused FROM {schema}.queues");

    queuePause =
        fill(
            schema,
            """
            INSERT INTO {schema}.queues (name, paused, updated_at) VALUES (?, ?, now())
            ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at\
            """);

    queueSettingsList =
        fill(
            schema,
            """
            SELECT name, paused, configured_at IS NOT NULL, max_running, per_key, rate_count, rate_period_ms, rate_per_key, fair,
                   aging_ms, push_url, push_timeout_ms, push_secret_env, push_allow_http
            FROM {schema}.queues ORDER BY name\
            """);

    // The last parameter is "only if unconfigured": a node's defaults never overwrite an operator's
    // settings. The paused flag is left as it is.
    queueSettingsPut =
        fill(
            schema,
            """
            INSERT INTO {schema}.queues AS q (name, paused, updated_at, max_running, per_key, rate_count, rate_period_ms,
                                              rate_per_key, fair, aging_ms, configured_at, push_url, push_timeout_ms,
                                              push_secret_env, push_allow_http)
            VALUES (?, false, now(), ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET max_running = excluded.max_running, per_key = excluded.per_key,
                rate_count = excluded.rate_count, rate_period_ms = excluded.rate_period_ms, rate_per_key = excluded.rate_per_key,
                fair = excluded.fair, aging_ms = excluded.aging_ms, configured_at = excluded.configured_at,
                push_url = excluded.push_url, push_timeout_ms = excluded.push_timeout_ms,
                push_secret_env = excluded.push_secret_env, push_allow_http = excluded.push_allow_http,
                updated_at = excluded.updated_at
              WHERE NOT ? OR q.configured_at IS NULL\
            """);

    // What a queue's flow control holds back, for "waiting: ..." and the gauges: counted as the
    // flow-controlled claim counts (running with a live lease on the database's clock; due by the
    // engine's clock), without its lock. A due job is held by its key's limit first, then by its
    // key's rate.
    queueFlow =
        fill(
            schema,
            """
            WITH p AS (
              SELECT ?::text AS q, ?::timestamptz AS now, ?::int AS per_key, ?::boolean AS rate_per_key,
                     ?::bigint AS tolerance_us, ?::text AS key, clock_timestamp() AS lease_now,
                     (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now_us
            ),
            running AS (
              SELECT j.concurrency_key AS ckey, count(*) AS n FROM {schema}.jobs j, p
              WHERE j.queue = p.q AND j.state = 'running' AND j.lease_expires_at > p.lease_now
              GROUP BY j.concurrency_key
            ),
            due AS (
              SELECT j.concurrency_key AS ckey, count(*) AS n FROM {schema}.jobs j, p
              WHERE j.queue = p.q AND j.state IN ('scheduled', 'available', 'retrying') AND j.run_at <= p.now
              GROUP BY j.concurrency_key
            ),
            keyed AS (
              SELECT d.n,
                     p.per_key IS NOT NULL AND d.ckey IS NOT NULL AND coalesce(r.n, 0) >= p.per_key AS at_limit,
                     p.rate_per_key AND coalesce(t.tat_us, 0) > p.now_us + p.tolerance_us AS out_of_rate
              FROM due d CROSS JOIN p
                LEFT JOIN running r ON r.ckey = d.ckey
                LEFT JOIN {schema}.queue_rates t ON t.queue = p.q AND t.key = coalesce(d.ckey, '')
            )
            SELECT (SELECT coalesce(sum(n), 0) FROM running),
                   (SELECT count(*) FROM running r, p WHERE r.ckey IS NOT NULL AND r.n >= p.per_key),
                   (SELECT coalesce(sum(n), 0) FROM due),
                   (SELECT coalesce(sum(n), 0) FROM keyed WHERE at_limit),
                   (SELECT coalesce(sum(n), 0) FROM keyed WHERE out_of_rate AND NOT at_limit),
                   (SELECT t.tat_us FROM {schema}.queue_rates t, p WHERE t.queue = p.q AND t.key = ''),
                   (SELECT coalesce(sum(n), 0) FROM running r, p WHERE r.ckey = p.key),
                   (SELECT t.tat_us FROM {schema}.queue_rates t, p WHERE t.queue = p.q AND t.key = p.key),
                   (SELECT now_us FROM p),
                   (SELECT coalesce(sum(s.held), 0) FROM {schema}.queue_slots s, p WHERE s.queue = p.q AND s.expires_us > p.now_us)\
            """);

    // New settings start the queue's rates afresh: a TAT left by a slower rate would otherwise hold
    // the new one back for as long as the old one would have.
    queueRatesReset = fill(schema, "DELETE FROM {schema}.queue_rates WHERE queue = ?");

    lockState = fill(schema, "SELECT state, queue FROM {schema}.jobs WHERE id = ? FOR UPDATE");

    // cancel_requested_at marks a user's cancellation, of a pending job too, so that retrying a
    // workflow step re-arms only the dependents its failure cancelled (see rearmDependents).
    cancelPending =
        fill(
            schema,
            """
            UPDATE {schema}.jobs SET state = 'cancelled', finished_at = ?, cancel_requested_at = ? WHERE id = ?\
            """);

    cancelRunning = fill(schema, "UPDATE {schema}.jobs SET cancel_requested_at = ? WHERE id = ?");

    retryFresh =
        fill(
            schema,
            """
            UPDATE {schema}.jobs
            SET state = 'available', attempt = 0, run_at = ?, finished_at = NULL, started_at = NULL,
                first_started_at = NULL, first_due_at = NULL,
                lease_owner = NULL, lease_expires_at = NULL, claim_token = NULL, cancel_requested_at = NULL
            WHERE id = ?\
            """);

    runNow = fill(schema, "UPDATE {schema}.jobs SET state = 'available', run_at = ? WHERE id = ?");

    delete = fill(schema, "DELETE FROM {schema}.jobs WHERE id = ?");

    replayMany =
        fill(
            schema,
            """
            UPDATE {schema}.jobs
            SET state = 'available', attempt = 0, run_at = ?, finished_at = NULL, started_at = NULL,
                first_started_at = NULL, first_due_at = NULL,
                lease_owner = NULL, lease_expires_at = NULL, claim_token = NULL, cancel_requested_at = NULL
            WHERE state IN (%s)\
            """
                .formatted(JobAction.REPLAY.sqlStates()));

    deleteMany =
        fill(
            schema,
            "DELETE FROM {schema}.jobs WHERE state IN (" + JobAction.PURGE.sqlStates() + ")");

    releaseMany =
        fill(
            schema,
            """
            WITH released AS (
              UPDATE {schema}.jobs j
              SET state = 'available', attempt = j.attempt - 1, run_at = ?, lease_owner = NULL,
                  lease_expires_at = NULL, claim_token = NULL, started_at = NULL
              FROM unnest(?::bigint[], ?::bigint[]) AS r(id, token)
              WHERE j.id = r.id AND j.claim_token = r.token
              RETURNING j.queue
            ),
            woken AS (SELECT pg_notify('%s', queue) FROM (SELECT DISTINCT queue FROM released) q)
            SELECT (SELECT count(*) FROM released), (SELECT count(*) FROM woken)\
            """
                .formatted(insertChannel));

    // One state ('running'): PostgreSQL reads IN with one literal as '=', so jobs_lease_idx
    // matches.
    getStuck =
        fill(
            schema,
            """
            SELECT id, kind, attempt, max_attempts, claim_token, lease_owner, now() FROM {schema}.jobs
            WHERE state IN (%s) AND lease_expires_at < now()
            ORDER BY lease_expires_at
            LIMIT ?\
            """
                .formatted(JobAction.RESCUE.sqlStates()));

    get = fill(schema, "SELECT " + JOB_COLUMNS + " FROM {schema}.jobs WHERE id = ?");

    // Filters are appended per call (see PostgresStore.jobList): a generic plan for
    // "(? IS NULL OR state = ?)" could not use the (state, id) index.
    list = fill(schema, "SELECT " + JOB_COLUMNS + " FROM {schema}.jobs WHERE id < ?");
    // A listing that leaves out args and results does not read them: a page of jobs with 1 MiB
    // of args each would otherwise cost a gigabyte of heap.
    listWithoutArgs = list.replace("args::text", "NULL::text");
    listWithoutResult = list.replace("result::text", "NULL::text");
    listWithoutEither = listWithoutArgs.replace("result::text", "NULL::text");
    // The filter clauses PostgresStore appends to list, replayMany and deleteMany.
    filters =
        new JdbcRows.FilterClauses(
            " AND state = ?",
            " AND queue = ?",
            " AND kind = ?",
            " AND errors -> -1 ->> 'errorClass' = ?",
            " AND finished_at >= ?",
            " AND finished_at < ?");

    kindAnnounce =
        fill(
            schema,
            """
            INSERT INTO {schema}.kinds (kind, announced_at)
            SELECT k, ? FROM unnest(?::text[]) AS k
            ON CONFLICT (kind) DO UPDATE SET announced_at = excluded.announced_at\
            """);

    kindKnown = fill(schema, "SELECT 1 FROM {schema}.kinds WHERE kind = ?");
    jobRunningLease =
        fill(
            schema,
            "SELECT claim_token FROM {schema}.jobs WHERE id = ? AND state = 'running' AND claim_token IS NOT NULL");

    String scheduleValues =
        """
        INSERT INTO {schema}.schedules AS s (name, kind, args, queue, priority, max_attempts, cron, zone, every_ms, catch_up,
                                             paused, declared, disabled, last_tick)
        VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?)
        """;
    scheduleInsert = fill(schema, scheduleValues + "ON CONFLICT (name) DO NOTHING");
    // A changed timing (or a disabled schedule coming back) starts from now: the ticks between its
    // last tick and now belonged to another definition, so they are not caught up.
    scheduleUpsert =
        fill(
            schema,
            scheduleValues
                + """
                ON CONFLICT (name) DO UPDATE SET
                  kind = excluded.kind, args = excluded.args, queue = excluded.queue, priority = excluded.priority,
                  max_attempts = excluded.max_attempts, cron = excluded.cron, zone = excluded.zone, every_ms = excluded.every_ms,
                  catch_up = excluded.catch_up, declared = excluded.declared, disabled = false,
                  last_tick = CASE WHEN s.disabled OR s.cron IS DISTINCT FROM excluded.cron OR s.zone <> excluded.zone
                                      OR s.every_ms IS DISTINCT FROM excluded.every_ms
                                 THEN greatest(s.last_tick, excluded.last_tick) ELSE s.last_tick END\
                """);

    String scheduleSelect =
        """
        SELECT s.name, s.kind, s.args::text, s.queue, s.priority, s.max_attempts, s.cron, s.zone, s.every_ms, s.catch_up,
               s.paused, s.declared, s.disabled, s.last_tick, j.id, j.state
        FROM {schema}.schedules s
        LEFT JOIN LATERAL (
          SELECT id, state FROM {schema}.jobs WHERE schedule = s.name ORDER BY id DESC LIMIT 1
        ) j ON true
        """;
    scheduleList = fill(schema, scheduleSelect + "ORDER BY s.name");
    scheduleGet = fill(schema, scheduleSelect + "WHERE s.name = ?");
    scheduleDelete = fill(schema, "DELETE FROM {schema}.schedules WHERE name = ?");
    schedulePause =
        fill(
            schema,
            """
            UPDATE {schema}.schedules
            SET paused = ?, last_tick = CASE WHEN paused AND NOT ? THEN greatest(last_tick, ?) ELSE last_tick END
            WHERE name = ?\
            """);
    scheduleDisableUndeclared =
        fill(
            schema,
            """
            UPDATE {schema}.schedules SET disabled = true
            WHERE declared AND NOT disabled AND NOT (name = ANY(?::text[]))\
            """);
    workflowInsert =
        fill(
            schema,
            "INSERT INTO {schema}.workflows (name, created_at, batch) VALUES (?, ?, ?) RETURNING id");
    // RETURNING gives the ids in input order, as in insertMany.
    workflowStepsInsert =
        fill(
            schema,
            """
            INSERT INTO {schema}.jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at, workflow_id, step, on_failure)
            SELECT kind, queue, priority::smallint, args::jsonb, max_attempts, state, run_at::timestamptz, created_at::timestamptz,
                   ?, step, on_failure
            FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
              AS t(kind, queue, priority, args, max_attempts, state, run_at, created_at, step, on_failure)
            RETURNING id\
            """);
    workflowDepsInsert =
        fill(
            schema,
            """
            WITH deps AS (
              INSERT INTO {schema}.job_deps (job_id, depends_on) SELECT * FROM unnest(?::bigint[], ?::bigint[])
            )
            SELECT count(pg_notify('%s', q)) FROM (SELECT DISTINCT q FROM unnest(?::text[]) AS q) queues\
            """
                .formatted(insertChannel));
    workflowGet =
        fill(
            schema,
            "SELECT id, name, created_at, cancelled_at FROM {schema}.workflows WHERE id = ?");
    workflowSteps =
        fill(
            schema,
            """
            SELECT j.id, j.step, j.kind, j.state, j.on_failure, j.started_at, j.finished_at, j.progress::text,
                   (SELECT array_agg(p.step ORDER BY p.id) FROM {schema}.job_deps d JOIN {schema}.jobs p ON p.id = d.depends_on
                    WHERE d.job_id = j.id)
            FROM {schema}.jobs j WHERE j.workflow_id = ? ORDER BY j.id\
            """);
    workflowStepResult =
        fill(
            schema,
            """
            SELECT s.result::text FROM {schema}.jobs j JOIN {schema}.jobs s ON s.workflow_id = j.workflow_id AND s.step = ?
            WHERE j.id = ?\
            """);
    workflowMarkCancelled =
        fill(schema, "UPDATE {schema}.workflows SET cancelled_at = ? WHERE id = ?");
    workflowCancelPending =
        fill(
            schema,
            """
            UPDATE {schema}.jobs SET state = 'cancelled', finished_at = ?, cancel_requested_at = ?
            WHERE workflow_id = ? AND state IN ('scheduled', 'available', 'retrying', 'waiting')\
            """);
    workflowCancelRunning =
        fill(
            schema,
            """
            UPDATE {schema}.jobs SET cancel_requested_at = ? WHERE workflow_id = ? AND state = 'running' RETURNING id\
            """);
    workflowUnmarkCancelled =
        fill(schema, "UPDATE {schema}.workflows SET cancelled_at = NULL WHERE id = ?");
    // Dead and cancelled steps start again: waiting when they have dependencies (released below
    // when
    // those have all succeeded), available otherwise.
    workflowRearm =
        fill(
            schema,
            """
            UPDATE {schema}.jobs j
            SET state = CASE WHEN EXISTS (SELECT 1 FROM {schema}.job_deps d WHERE d.job_id = j.id) THEN 'waiting' ELSE 'available' END,
                attempt = 0, run_at = ?, finished_at = NULL, started_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
                claim_token = NULL, cancel_requested_at = NULL
            WHERE workflow_id = ? AND state IN ('dead', 'cancelled')\
            """);
    // The waiting dependents of jobs that just ended, locked in id order: two completions that each
    // end one dependency of the same step take turns here, so the second one sees the first's
    // outcome in its own next statement and releases the step (READ COMMITTED takes a new snapshot
    // per statement).
    lockDependents =
        fill(
            schema,
            """
            SELECT w.id FROM {schema}.jobs w
            WHERE w.state = 'waiting' AND w.id IN (SELECT job_id FROM {schema}.job_deps WHERE depends_on = ANY(?::bigint[]))
            ORDER BY w.id FOR UPDATE\
            """);
    cancelDependents =
        fill(
            schema,
            """
            UPDATE {schema}.jobs w SET state = 'cancelled', finished_at = ?
            WHERE w.id = ANY(?::bigint[]) AND w.state = 'waiting' AND w.on_failure = 'cancel'
              AND EXISTS (SELECT 1 FROM {schema}.job_deps d JOIN {schema}.jobs dep ON dep.id = d.depends_on
                          WHERE d.job_id = w.id AND dep.state IN ('dead', 'cancelled'))
            RETURNING w.id\
            """);
    // Released: every dependency succeeded, or (onFailure continue) ended.
    String releasable =
        """
        w.state = 'waiting' AND NOT EXISTS (
          SELECT 1 FROM {schema}.job_deps d JOIN {schema}.jobs dep ON dep.id = d.depends_on
          WHERE d.job_id = w.id AND dep.state <> 'succeeded'
            AND (w.on_failure = 'cancel' OR dep.state NOT IN ('dead', 'cancelled')))\
        """;
    // A batch's callback gets the batch's counts in its args as it is released, in the same
    // statement, so the counts are those of the completion that released it.
    String batchArgs =
        """
        args = CASE WHEN (SELECT f.batch FROM {schema}.workflows f WHERE f.id = w.workflow_id)
          THEN (CASE WHEN w.args IS NULL OR jsonb_typeof(w.args) = 'null' THEN '{}'::jsonb ELSE w.args END)
               || jsonb_build_object('batch', (
                    SELECT jsonb_build_object('id', w.workflow_id, 'total', count(*),
                             'succeeded', count(*) FILTER (WHERE dep.state = 'succeeded'),
                             'dead', count(*) FILTER (WHERE dep.state = 'dead'),
                             'cancelled', count(*) FILTER (WHERE dep.state = 'cancelled'))
                    FROM {schema}.job_deps d JOIN {schema}.jobs dep ON dep.id = d.depends_on WHERE d.job_id = w.id))
          ELSE w.args END\
        """;
    releaseDependents =
        fill(
            schema,
            """
            WITH released AS (
              UPDATE {schema}.jobs w SET state = 'available', run_at = greatest(w.run_at, ?),
            """
                + batchArgs
                + """

                  WHERE w.id = ANY(?::bigint[]) AND\
                """
                + " "
                + releasable
                + "\n"
                + """
                  RETURNING w.id, w.queue
                ),
                woken AS (SELECT pg_notify('%s', queue) FROM (SELECT DISTINCT queue FROM released) q)
                SELECT id, (SELECT count(*) FROM woken) FROM released\
                """
                    .formatted(insertChannel));
    releaseWorkflow =
        fill(
            schema,
            """
            WITH released AS (
              UPDATE {schema}.jobs w SET state = 'available', run_at = greatest(w.run_at, ?),
            """
                + batchArgs
                + """

                  WHERE w.workflow_id = ? AND\
                """
                + " "
                + releasable
                + "\n"
                + """
                  RETURNING w.id, w.queue
                ),
                woken AS (SELECT pg_notify('%s', queue) FROM (SELECT DISTINCT queue FROM released) q)
                SELECT id, (SELECT count(*) FROM woken) FROM released\
                """
                    .formatted(insertChannel));

    // Retrying a step re-arms the dependents its failure cancelled (on_failure 'cancel', and not
    // cancelled by a user: cancel_requested_at is null): they wait again, for the retried step.
    rearmDependents =
        fill(
            schema,
            """
            UPDATE {schema}.jobs w
            SET state = 'waiting', attempt = 0, run_at = ?, finished_at = NULL, started_at = NULL, lease_owner = NULL,
                lease_expires_at = NULL, claim_token = NULL
            WHERE w.state = 'cancelled' AND w.on_failure = 'cancel' AND w.cancel_requested_at IS NULL
              AND w.id IN (SELECT job_id FROM {schema}.job_deps WHERE depends_on = ANY(?::bigint[]))
            RETURNING w.id\
            """);

    // A retried or replayed step with dependencies waits for them again (released at once, in the
    // same transaction, when they have all succeeded).
    waitIfDependencies =
        fill(
            schema,
            """
            UPDATE {schema}.jobs j SET state = 'waiting'
            WHERE j.id = ANY(?::bigint[]) AND j.state = 'available'
              AND EXISTS (SELECT 1 FROM {schema}.job_deps d WHERE d.job_id = j.id)
            RETURNING j.id\
            """);
    workflowGroupsInsert =
        fill(
            schema,
            """
            INSERT INTO {schema}.job_dep_groups (workflow_id, job_id, prefix)
            SELECT ?, * FROM unnest(?::bigint[], ?::text[]) ON CONFLICT DO NOTHING\
            """);
    // The adding step's row stays locked until the steps are added: its completion, which may
    // release a join, waits for them.
    lockAddingStep =
        fill(
            schema,
            """
            SELECT j.state, j.workflow_id, j.step, f.cancelled_at FROM {schema}.jobs j
            LEFT JOIN {schema}.workflows f ON f.id = j.workflow_id
            WHERE j.id = ? FOR UPDATE OF j\
            """);
    stepByName =
        fill(schema, "SELECT id FROM {schema}.jobs WHERE workflow_id = ? AND step = ? LIMIT 1");
    addedStepInsert =
        fill(
            schema,
            """
            INSERT INTO {schema}.jobs (kind, queue, priority, args, max_attempts, state, run_at, created_at, workflow_id, step, on_failure)
            VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id\
            """);
    depInsert =
        fill(
            schema,
            "INSERT INTO {schema}.job_deps (job_id, depends_on) VALUES (?, ?) ON CONFLICT DO NOTHING");
    // A new step that waits for a group waits for the members it has already.
    groupMembersDeps =
        fill(
            schema,
            """
            INSERT INTO {schema}.job_deps (job_id, depends_on)
            SELECT ?, id FROM {schema}.jobs WHERE workflow_id = ? AND left(step, length(?)) = ? AND id <> ?
            ON CONFLICT DO NOTHING\
            """);
    // The waiting steps that wait for a group the new step (name ?) belongs to, locked in id order
    // as completions lock them.
    lockGroupJoins =
        fill(
            schema,
            """
            SELECT w.id FROM {schema}.job_dep_groups g JOIN {schema}.jobs w ON w.id = g.job_id
            WHERE g.workflow_id = ? AND w.state = 'waiting' AND left(?, length(g.prefix)) = g.prefix AND w.id <> ?
            ORDER BY w.id FOR UPDATE OF w\
            """);
    // Whether one of the first jobs waits, directly or not, for one of the second: a dependency
    // that would close a cycle.
    dependsOnAny =
        fill(
            schema,
            """
            WITH RECURSIVE up(id) AS (
              SELECT unnest(?::bigint[])
              UNION SELECT d.depends_on FROM {schema}.job_deps d JOIN up ON d.job_id = up.id
            )
            SELECT 1 FROM up WHERE id = ANY(?::bigint[]) LIMIT 1\
            """);

    // Deleting a job that unfinished steps wait for would leave them waiting forever: refused.
    unfinishedDependents =
        fill(
            schema,
            """
            SELECT w.id, w.step FROM {schema}.job_deps d JOIN {schema}.jobs w ON w.id = d.job_id
            WHERE d.depends_on = ? AND w.state NOT IN ('succeeded', 'dead', 'cancelled') ORDER BY w.id\
            """);

    // The guard of exactly-once: only the first node to move last_tick past a tick inserts its job;
    // a second node blocks on the row lock, then finds last_tick no longer below the tick.
    scheduleAdvance =
        fill(
            schema,
            """
            UPDATE {schema}.schedules SET last_tick = ?
            WHERE name = ? AND last_tick < ? AND NOT paused AND NOT disabled\
            """);
  }

  private static String fill(String schema, String sql) {
    return sql.replace("{schema}", schema);
  }
}
