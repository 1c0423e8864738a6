-- Flow control (issue 13): queue settings shared by every node, per-key limits, unique jobs, rates.

-- A queue's limits; null means no limit. configured_at is null for a queue that was only paused,
-- so defaults declared in code may still be written there (and never over an operator's settings).
ALTER TABLE {schema}.queues
  ADD COLUMN max_running    integer,
  ADD COLUMN per_key        integer,
  ADD COLUMN rate_count     integer,
  ADD COLUMN rate_period_ms bigint,
  ADD COLUMN rate_per_key   boolean NOT NULL DEFAULT false,
  ADD COLUMN fair           boolean NOT NULL DEFAULT false,
  ADD COLUMN aging_ms       bigint,
  ADD COLUMN configured_at  timestamptz;

ALTER TABLE {schema}.jobs
  ADD COLUMN concurrency_key text,
  ADD COLUMN unique_key      text;

-- What runs is derived from the rows themselves, never from a counter a crash could leave wrong:
-- a limited claim counts the running rows of its queue, per key.
CREATE INDEX jobs_running_key_idx ON {schema}.jobs (queue, concurrency_key) WHERE state = 'running';

-- At most one job per unique key while it is pending or running: the database settles a race
-- between nodes enqueueing the same key.
CREATE UNIQUE INDEX jobs_unique_idx ON {schema}.jobs (unique_key)
  WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'available', 'running', 'retrying');

-- uniqueFor: a finished job with the key, finished recently, also counts.
CREATE INDEX jobs_unique_finished_idx ON {schema}.jobs (unique_key, finished_at)
  WHERE unique_key IS NOT NULL AND finished_at IS NOT NULL;

-- GCRA rate limiting: the theoretical arrival time (epoch microseconds) of the next start, per
-- queue and key ('' for the queue as a whole), read and advanced in the claim's transaction.
CREATE TABLE {schema}.queue_rates (
  queue  text   NOT NULL,
  key    text   NOT NULL,
  tat_us bigint NOT NULL,
  PRIMARY KEY (queue, key)
);
