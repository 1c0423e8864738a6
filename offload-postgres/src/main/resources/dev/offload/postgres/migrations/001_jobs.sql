-- Offload schema, version 1. {schema} is replaced by the configured schema name.
CREATE TABLE {schema}.jobs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind             text        NOT NULL,
  queue            text        NOT NULL,
  state            text        NOT NULL CHECK (state IN ('scheduled', 'available', 'running', 'retrying', 'succeeded', 'dead', 'cancelled')),
  priority         smallint    NOT NULL,
  args             jsonb       NOT NULL,
  attempt          integer     NOT NULL DEFAULT 0,
  max_attempts     integer     NOT NULL,
  run_at           timestamptz NOT NULL,
  created_at       timestamptz NOT NULL,
  started_at       timestamptz,
  finished_at      timestamptz,
  lease_owner      text,
  lease_expires_at timestamptz,
  claim_token      bigint,
  errors           jsonb       NOT NULL DEFAULT '[]',
  result           jsonb,
  progress         jsonb,
  checkpoint       jsonb,
  failed_items     jsonb,
  retry_items      jsonb,
  parent_id        bigint,
  -- Set when a user cancels a running job; its node stops it and it ends cancelled.
  cancel_requested_at timestamptz,
  -- Enqueueing again with the same key returns this job instead of a new one.
  idempotency_key  text
);

CREATE UNIQUE INDEX jobs_idempotency_idx ON {schema}.jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Claiming reads only runnable rows in claim order; finished rows (millions of them) are not in
-- this index, so claiming stays as fast with a full table as with an empty one.
CREATE INDEX jobs_claim_idx ON {schema}.jobs (queue, priority, run_at, id)
  WHERE state IN ('scheduled', 'available', 'retrying');

-- The rescuer looks only at running jobs by lease expiry.
CREATE INDEX jobs_lease_idx ON {schema}.jobs (lease_expires_at) WHERE state = 'running';

-- Listing by state, newest first (dashboard, CLI, dead-letter queue).
CREATE INDEX jobs_state_idx ON {schema}.jobs (state, id);

-- Earlier runs' stage durations feed the ETA of stages not started yet.
CREATE INDEX jobs_progress_history_idx ON {schema}.jobs (kind, id)
  WHERE state = 'succeeded' AND progress IS NOT NULL;

-- Retention pruning (state, finished before) and last-minute throughput (finished after).
CREATE INDEX jobs_finished_idx ON {schema}.jobs (state, finished_at) WHERE finished_at IS NOT NULL;

-- Queues paused by an operator; a queue without a row runs.
CREATE TABLE {schema}.queues (
  name       text PRIMARY KEY,
  paused     boolean     NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE {schema}.kinds (
  kind         text PRIMARY KEY,
  announced_at timestamptz NOT NULL
);
