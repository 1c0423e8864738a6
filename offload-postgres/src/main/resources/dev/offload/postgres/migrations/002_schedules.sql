-- Schedules (cron or interval) and the schedule of each job they make.
CREATE TABLE {schema}.schedules (
  name         text        PRIMARY KEY,
  kind         text        NOT NULL,
  args         jsonb       NOT NULL,
  queue        text        NOT NULL,
  priority     smallint    NOT NULL,
  max_attempts integer     NOT NULL,
  cron         text,
  zone         text        NOT NULL,
  every_ms     bigint,
  catch_up     text        NOT NULL CHECK (catch_up IN ('none', 'latest', 'all')),
  paused       boolean     NOT NULL DEFAULT false,
  -- Declared by application code at start (and disabled when the code no longer declares it).
  declared     boolean     NOT NULL DEFAULT false,
  disabled     boolean     NOT NULL DEFAULT false,
  -- The latest tick fired; a node fires tick T only by moving this from below T to T, in the
  -- transaction that inserts T's job, so each tick makes one job whatever the number of nodes.
  last_tick    timestamptz NOT NULL,
  CHECK ((cron IS NULL) <> (every_ms IS NULL))
);

ALTER TABLE {schema}.jobs ADD COLUMN schedule text;

-- A schedule's latest job (offload schedules, GET /api/schedules).
CREATE INDEX jobs_schedule_idx ON {schema}.jobs (schedule, id) WHERE schedule IS NOT NULL;
