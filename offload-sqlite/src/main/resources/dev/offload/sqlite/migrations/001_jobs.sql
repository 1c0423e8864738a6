-- Offload schema, version 1. Times are epoch milliseconds; JSON columns hold JSON text.
CREATE TABLE offload_jobs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  kind             TEXT    NOT NULL,
  queue            TEXT    NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('scheduled', 'available', 'running', 'retrying', 'succeeded', 'dead', 'cancelled')),
  priority         INTEGER NOT NULL,
  args             TEXT    NOT NULL,
  attempt          INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  run_at           INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  claim_token      INTEGER,
  errors           TEXT    NOT NULL DEFAULT '[]',
  result           TEXT,
  progress         TEXT,
  checkpoint       TEXT,
  failed_items     TEXT,
  retry_items      TEXT,
  parent_id        INTEGER,
  -- Set when a user cancels a running job; its node stops it and it ends cancelled.
  cancel_requested_at INTEGER,
  -- Enqueueing again with the same key returns this job instead of a new one.
  idempotency_key  TEXT
);

CREATE UNIQUE INDEX offload_jobs_idempotency_idx ON offload_jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Claiming reads only runnable rows in claim order; finished rows (millions of them) are not in
-- this index, so claiming stays as fast with a full table as with an empty one.
CREATE INDEX offload_jobs_claim_idx ON offload_jobs (queue, priority, run_at, id)
  WHERE state IN ('scheduled', 'available', 'retrying');

-- The rescuer looks only at running jobs by lease expiry.
CREATE INDEX offload_jobs_lease_idx ON offload_jobs (lease_expires_at) WHERE state = 'running';

-- Listing by state or by kind, newest first (dashboard, CLI, dead-letter queue).
CREATE INDEX offload_jobs_state_idx ON offload_jobs (state, id);
CREATE INDEX offload_jobs_kind_idx ON offload_jobs (kind, id);

-- Retention pruning (state, finished before) and last-minute throughput (finished after).
CREATE INDEX offload_jobs_finished_idx ON offload_jobs (state, finished_at) WHERE finished_at IS NOT NULL;

-- Queues paused by an operator (paused is 0 or 1); a queue without a row runs.
CREATE TABLE offload_queues (
  name       TEXT PRIMARY KEY,
  paused     INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE offload_kinds (
  kind         TEXT PRIMARY KEY,
  announced_at INTEGER NOT NULL
);

-- One row, name 'leader': the node that holds leadership until expires_at.
CREATE TABLE offload_leader (
  name       TEXT PRIMARY KEY,
  node       TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
);
