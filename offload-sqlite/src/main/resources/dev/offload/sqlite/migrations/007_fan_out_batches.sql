-- Fan-out and batches.
-- A step that waits for a group ("sync/*") waits for the step sync (an offload_job_deps row) and
-- for every step added under it while the workflow runs: the transaction that adds a step whose
-- name starts with a group's prefix ("sync/") gives each waiting member of that group a row on it.
CREATE TABLE offload_job_dep_groups (
  workflow_id INTEGER NOT NULL,
  job_id      INTEGER NOT NULL,
  prefix      TEXT    NOT NULL,
  PRIMARY KEY (job_id, prefix)
);
CREATE INDEX offload_job_dep_groups_workflow_idx ON offload_job_dep_groups (workflow_id);

-- A running step that adds a step looks its name up first: a retried attempt adds each step once.
CREATE INDEX offload_jobs_workflow_step_idx ON offload_jobs (workflow_id, step) WHERE workflow_id IS NOT NULL;

-- A batch is a workflow whose callbacks (its steps with dependencies) get the batch's counts in
-- their args when they are released.
ALTER TABLE offload_workflows ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;
