-- Workflows: steps are jobs with a workflow, a step name and a failure policy; a step waits in
-- 'waiting' (never claimed) until the jobs it depends on (offload_job_deps) have ended. The state
-- CHECK of offload_jobs gains 'waiting' before this script runs (Migrations rebuilds the table:
-- SQLite cannot alter a CHECK constraint).
CREATE TABLE offload_workflows (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  -- Set when a user cancels the workflow; cleared when it is retried.
  cancelled_at INTEGER
);

ALTER TABLE offload_jobs ADD COLUMN workflow_id INTEGER;
ALTER TABLE offload_jobs ADD COLUMN step TEXT;
ALTER TABLE offload_jobs ADD COLUMN on_failure TEXT CHECK (on_failure IN ('cancel', 'continue'));

CREATE INDEX offload_jobs_workflow_idx ON offload_jobs (workflow_id, id) WHERE workflow_id IS NOT NULL;

-- job_id waits for depends_on. Completions look up dependents by depends_on.
CREATE TABLE offload_job_deps (
  job_id     INTEGER NOT NULL,
  depends_on INTEGER NOT NULL,
  PRIMARY KEY (job_id, depends_on)
);
CREATE INDEX offload_job_deps_depends_on_idx ON offload_job_deps (depends_on);
