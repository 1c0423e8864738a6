-- Flow control (issue 13): queue settings shared by every process, per-key limits, unique jobs, rates.

-- A queue's limits; null means no limit. configured_at is null for a queue that was only paused,
-- so defaults declared in code may still be written there (and never over an operator's settings).
ALTER TABLE offload_queues ADD COLUMN max_running INTEGER;
ALTER TABLE offload_queues ADD COLUMN per_key INTEGER;
ALTER TABLE offload_queues ADD COLUMN rate_count INTEGER;
ALTER TABLE offload_queues ADD COLUMN rate_period_ms INTEGER;
ALTER TABLE offload_queues ADD COLUMN rate_per_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE offload_queues ADD COLUMN fair INTEGER NOT NULL DEFAULT 0;
ALTER TABLE offload_queues ADD COLUMN aging_ms INTEGER;
ALTER TABLE offload_queues ADD COLUMN configured_at INTEGER;

ALTER TABLE offload_jobs ADD COLUMN concurrency_key TEXT;
ALTER TABLE offload_jobs ADD COLUMN unique_key TEXT;

-- What runs is derived from the rows themselves, never from a counter a crash could leave wrong.
CREATE INDEX offload_jobs_running_key_idx ON offload_jobs (queue, concurrency_key) WHERE state = 'running';

-- At most one job per unique key while it is pending or running.
CREATE UNIQUE INDEX offload_jobs_unique_idx ON offload_jobs (unique_key)
  WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'available', 'running', 'retrying');

-- uniqueFor: a finished job with the key, finished recently, also counts.
CREATE INDEX offload_jobs_unique_finished_idx ON offload_jobs (unique_key, finished_at)
  WHERE unique_key IS NOT NULL AND finished_at IS NOT NULL;

-- GCRA rate limiting: the theoretical arrival time (epoch microseconds) of the next start, per
-- queue and key ('' for the queue as a whole), read and advanced in the claim's transaction.
CREATE TABLE offload_queue_rates (
  queue  TEXT    NOT NULL,
  key    TEXT    NOT NULL,
  tat_us INTEGER NOT NULL,
  PRIMARY KEY (queue, key)
);
