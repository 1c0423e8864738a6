-- Schedules (cron or interval) and the schedule of each job they make. Booleans are 0 or 1.
CREATE TABLE offload_schedules (
  name         TEXT    PRIMARY KEY,
  kind         TEXT    NOT NULL,
  args         TEXT    NOT NULL,
  queue        TEXT    NOT NULL,
  priority     INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  cron         TEXT,
  zone         TEXT    NOT NULL,
  every_ms     INTEGER,
  catch_up     TEXT    NOT NULL CHECK (catch_up IN ('none', 'latest', 'all')),
  paused       INTEGER NOT NULL DEFAULT 0,
  -- Declared by application code at start (and disabled when the code no longer declares it).
  declared     INTEGER NOT NULL DEFAULT 0,
  disabled     INTEGER NOT NULL DEFAULT 0,
  -- The latest tick fired; a node fires tick T only by moving this from below T to T, in the
  -- transaction that inserts T's job, so each tick makes one job whatever the number of nodes.
  last_tick    INTEGER NOT NULL,
  CHECK ((cron IS NULL) <> (every_ms IS NULL))
);

ALTER TABLE offload_jobs ADD COLUMN schedule TEXT;

-- A schedule's latest job (offload schedules, GET /api/schedules).
CREATE INDEX offload_jobs_schedule_idx ON offload_jobs (schedule, id) WHERE schedule IS NOT NULL;
